package costline.dashboards.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrafanaInterpolationTest {

    private static final Instant NOW = Instant.parse("2026-11-18T12:34:56Z");

    @Test
    void relativeTimesRoundLikeGrafana() {
        assertThat(DateMath.parse("now-6h", NOW, false)).isEqualTo(Instant.parse("2026-11-18T06:34:56Z"));
        assertThat(DateMath.parse("now/M", NOW, false)).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(DateMath.parse("now/M", NOW, true)).isEqualTo(Instant.parse("2026-11-30T23:59:59.999Z"));
        assertThat(DateMath.parse("now-1M/M", NOW, false)).isEqualTo(Instant.parse("2026-10-01T00:00:00Z"));
        assertThat(DateMath.parse("now", NOW, true)).isEqualTo(NOW);
        assertThatThrownBy(() -> DateMath.parse("now-6x", NOW, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void intervalIsTheRangeOverMaxDataPointsRoundedAndNeverBelowTheMinimum() {
        assertThat(Intervals.text(Intervals.interval(Duration.ofHours(6), 1000, Duration.ofSeconds(10)))).isEqualTo("20s");
        assertThat(Intervals.text(Intervals.interval(Duration.ofHours(6), 1000, Duration.ofMinutes(1)))).isEqualTo("1m");
        assertThat(Intervals.text(Intervals.interval(Duration.ofDays(17), 1000, Duration.ofSeconds(10)))).isEqualTo("20m");
        assertThat(Intervals.text(Intervals.interval(Duration.ofDays(365), 1000, Duration.ofSeconds(10)))).isEqualTo("6h");
    }

    @Test
    void variablesAreRegexEscapedAndAllUsesTheCustomAllValue() {
        TemplateVariable host = new TemplateVariable("host", true, true, ".*", List.of("a.b", "c/d"), List.of(), true);
        String q = "SELECT \"x\" FROM \"m\" WHERE \"host\" =~ /^$host$/ AND $timeFilter GROUP BY time($__interval)";
        Instant from = NOW.minusSeconds(60);
        assertThat(QueryInterpolator.interpolate(q, from, NOW, Duration.ofSeconds(10), Map.of("host", host)))
                .isEqualTo("SELECT \"x\" FROM \"m\" WHERE \"host\" =~ /^.*$/ AND time >= " + from.toEpochMilli()
                        + "ms and time <= " + NOW.toEpochMilli() + "ms GROUP BY time(10s)");
        TemplateVariable two = new TemplateVariable("host", true, true, ".*", List.of("a.b", "c/d"), List.of("a.b", "c/d"), false);
        assertThat(QueryInterpolator.interpolate("/^${host}$/", from, NOW, Duration.ofSeconds(10), Map.of("host", two)))
                .isEqualTo("/^(a\\.b|c\\/d)$/");
        assertThat(QueryInterpolator.interpolate("/^$host$/", from, NOW, Duration.ofSeconds(10), Map.of("host", host.select("*fleet*"))))
                .isEqualTo("/^\\*fleet\\*$/");
    }

    @Test
    void anUnknownVariableFailsInsteadOfBecomingAnEmptyQuery() {
        assertThatThrownBy(() -> QueryInterpolator.interpolate("WHERE \"host\" =~ /^$hots$/", NOW, NOW,
                Duration.ofSeconds(1), Map.of())).hasMessageContaining("$hots");
    }

    @Test
    void provisioningExpansionTreatsDoubleDollarAsALiteral() {
        Map<String, String> env = Map.of("INFLUX_TOKEN", "t0k");
        assertThat(ProvisioningEnv.expand("Token ${INFLUX_TOKEN}", env)).isEqualTo("Token t0k");
        assertThat(ProvisioningEnv.expand("WHERE $$timeFilter", env)).isEqualTo("WHERE $timeFilter");
        // Unescaped, a macro is eaten by the expansion: the reason the alert files write $$.
        assertThat(ProvisioningEnv.expand("WHERE $timeFilter", env)).isEqualTo("WHERE ");
        assertThat(ProvisioningEnv.names("a $$labels ${INFLUX_TOKEN} $X")).containsExactly("INFLUX_TOKEN", "X");
    }
}
