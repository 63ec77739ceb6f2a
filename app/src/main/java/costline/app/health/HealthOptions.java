package costline.app.health;

import picocli.CommandLine.Option;

/** The health and metrics endpoint options every long-running command shares. */
public final class HealthOptions {

    @Option(names = "--health-port", defaultValue = "${env:COSTLINE_HEALTH_PORT:--1}",
            description = "Port of /healthz, /readyz and /metrics (Prometheus text); -1: off "
                    + "(default: COSTLINE_HEALTH_PORT, else off).")
    public int port;

    @Option(names = "--health-bind", defaultValue = "${env:COSTLINE_HEALTH_BIND:-0.0.0.0}",
            description = "Address the health endpoint listens on (default: ${DEFAULT-VALUE}).")
    public String bind;

    public boolean enabled() {
        return port >= 0;
    }

    /** Fails start-up with the option's name when the port is out of range. */
    public void validate() {
        if (port < -1 || port > 65_535) {
            throw new IllegalArgumentException("--health-port " + port + " is not a port: give 1-65535, 0 for any "
                    + "free port, or -1 for off");
        }
    }
}
