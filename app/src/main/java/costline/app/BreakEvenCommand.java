package costline.app;

import costline.app.whatif.BreakEvenChart;
import costline.app.whatif.BreakEvenTable;
import costline.app.whatif.Scenario;
import costline.streams.breakeven.BreakEvenCalculator;
import costline.streams.breakeven.BreakEvenResult;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The what-if: own, rent or split, for a scenario file and/or flags; no Kafka needed. */
@Command(name = "breakeven", mixinStandardHelpOptions = true,
        description = {"What-if: should these GPUs be bought, rented, or split (hybrid)?",
                "Prints the load-duration table and the plans, and writes a PNG chart of cumulative cost.",
                "Flags override the scenario file's values."})
final class BreakEvenCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--scenario", description = "Scenario file, YAML (.yaml/.yml) or JSON (.json).")
    Path scenarioFile;
    @Option(names = "--gpus", description = "GPUs in use at once during the busy hours.")
    Integer gpus;
    @Option(names = "--busy-hours", description = "Busy hours per day, 0..24 (default 24).")
    Double busyHours;
    @Option(names = "--cloud-instance-hourly", description = "Cloud instance price, USD per hour (e.g. 32.77).")
    BigDecimal instanceHourly;
    @Option(names = "--gpus-per-instance", description = "GPUs in one cloud instance (default 8).")
    Integer gpusPerInstance;
    @Option(names = "--cloud-gpu-hourly", description = "Or: the cloud price of one GPU, USD per hour.")
    BigDecimal gpuHourly;
    @Option(names = "--server-price", description = "Price of one server, USD.")
    BigDecimal serverPrice;
    @Option(names = "--gpus-per-server", description = "GPUs in one server (default 8).")
    Integer gpusPerServer;
    @Option(names = "--residual", description = "Resale value of a server at the end of amortization, USD (default 0).")
    BigDecimal residual;
    @Option(names = "--amortization-months", description = "Amortization period, months (default 36).")
    Integer amortizationMonths;
    @Option(names = "--yearly-ops", description = "Yearly power, cooling, rack and operations per server, USD (default 0).")
    BigDecimal yearlyOps;
    @Option(names = "--board-power-w", description = "Watts per GPU while busy, for electricity not in --yearly-ops (default 0).")
    Double boardPowerW;
    @Option(names = "--pue", description = "Power usage effectiveness (default 1.0).")
    Double pue;
    @Option(names = "--energy-price", description = "Electricity, USD per kWh (default 0).")
    BigDecimal energyPrice;
    @Option(names = "--horizon-months", description = "Chart horizon, months (default: the amortization period).")
    Integer horizonMonths;
    @Option(names = "--observed", converter = DurationConverter.class,
            description = "How long the scenario's demand was observed, e.g. 1h, 20d; below --min-history the answer is "
                    + "INSUFFICIENT_HISTORY, as in the live topology.")
    java.time.Duration observed;
    @Option(names = "--min-history", defaultValue = "14d", converter = DurationConverter.class,
            description = "Observed history needed before advice (default: ${DEFAULT-VALUE}, as breakeven.min-history).")
    java.time.Duration minHistory;
    @Option(names = "--chart", defaultValue = "breakeven.png", description = "PNG file to write (default: ${DEFAULT-VALUE}).")
    Path chart;
    @Option(names = "--width", defaultValue = "1200", description = "Chart width, pixels (default: ${DEFAULT-VALUE}).")
    int width;
    @Option(names = "--height", defaultValue = "700", description = "Chart height, pixels (default: ${DEFAULT-VALUE}).")
    int height;

    @Override
    public Integer call() throws Exception {
        Scenario s;
        BreakEvenResult r;
        try {
            s = scenarioFile == null ? new Scenario() : Scenario.read(scenarioFile);
            applyFlags(s);
            if (width < 200 || height < 150 || width > 8000 || height > 8000) {
                throw new IllegalArgumentException("--width/--height: give a size within 200x150 .. 8000x8000 pixels");
            }
            r = BreakEvenCalculator.compute(s.demandCurve(), s.cloudMicroUsdPerGpuHour(), s.ownership());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("breakeven: " + e.getMessage());
            return 2;
        }
        if (observed != null && observed.compareTo(minHistory) < 0) {
            // the same rule as the break-even topology: too little history is no basis to buy hardware
            spec.commandLine().getOut().printf(java.util.Locale.ROOT,
                    "Recommendation: INSUFFICIENT_HISTORY (%.2f days observed, at least %.2f needed; no advice, no chart)%n",
                    days(observed), days(minHistory));
            return 0;
        }
        BreakEvenTable.print(r, spec.commandLine().getOut());
        System.setProperty("java.awt.headless", "true");
        Path parent = chart.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(chart)) {
            BreakEvenChart.writePng(r, s.horizon(), width, height, out);
        }
        spec.commandLine().getOut().println("Chart: " + chart.toAbsolutePath());
        return 0;
    }

    private void applyFlags(Scenario s) {
        if (gpus != null) {
            s.demand.gpus = gpus;
            s.demand.hourlyProfile = null;
        }
        if (busyHours != null) {
            s.demand.busyHoursPerDay = busyHours;
            s.demand.hourlyProfile = null;
        }
        if (instanceHourly != null) {
            s.cloud.instanceHourlyUsd = instanceHourly;
            s.cloud.gpuHourlyUsd = null;
        }
        if (gpusPerInstance != null) {
            s.cloud.gpusPerInstance = gpusPerInstance;
        }
        if (gpuHourly != null) {
            s.cloud.gpuHourlyUsd = gpuHourly;
        }
        if (serverPrice != null) {
            s.onprem.serverPriceUsd = serverPrice;
        }
        if (gpusPerServer != null) {
            s.onprem.gpusPerServer = gpusPerServer;
        }
        if (residual != null) {
            s.onprem.residualUsd = residual;
        }
        if (amortizationMonths != null) {
            s.onprem.amortizationMonths = amortizationMonths;
        }
        if (yearlyOps != null) {
            s.onprem.yearlyOpsUsd = yearlyOps;
        }
        if (boardPowerW != null) {
            s.onprem.boardPowerW = boardPowerW;
        }
        if (pue != null) {
            s.onprem.pue = pue;
        }
        if (energyPrice != null) {
            s.onprem.energyUsdPerKwh = energyPrice;
        }
        if (horizonMonths != null) {
            s.horizonMonths = horizonMonths;
        }
    }

    private static double days(java.time.Duration d) {
        return d.toMillis() / 86_400_000.0;
    }
}
