package costline.dashboards.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SchemaCheckTest {

    @Test
    void acceptsFieldsTagsAliasesAndSubqueries() {
        assertThat(SchemaCheck.problems("SELECT mean(\"util_gpu\") AS \"u\" FROM \"gpu_sample\" WHERE \"host\" =~ /^(a|b)$/ "
                + "AND time >= 1ms and time <= 2ms GROUP BY time(1m), \"gpu_id\" fill(null)")).isEmpty();
        assertThat(SchemaCheck.problems("SELECT last(\"n\") * 5 AS \"m\" FROM (SELECT count(\"util_gpu\") AS \"n\" "
                + "FROM \"gpu_sample\" GROUP BY time(1m), \"host\" fill(0)) GROUP BY \"host\"")).isEmpty();
        assertThat(SchemaCheck.problems("SELECT sum(\"cost_usd\") * 3600000 / 60000 AS \"r\" FROM \"gpu_cost\" "
                + "WHERE \"workload\" = 'unallocated'")).isEmpty();
        assertThat(SchemaCheck.problems("SHOW TAG VALUES FROM \"gpu_cost\" WITH KEY = \"workload\"")).isEmpty();
    }

    @Test
    void rejectsAMeasurementFieldOrTagTheSinkNeverWrites() {
        assertThat(SchemaCheck.problems("SELECT mean(\"util_gpu\") FROM \"gpu_samples\""))
                .anyMatch(p -> p.contains("measurement \"gpu_samples\""));
        assertThat(SchemaCheck.problems("SELECT mean(\"utilization\") FROM \"gpu_sample\""))
                .anyMatch(p -> p.contains("\"utilization\""));
        assertThat(SchemaCheck.problems("SELECT sum(\"cost_usd\") FROM \"gpu_cost\" GROUP BY \"host\""))
                .anyMatch(p -> p.contains("\"host\""));
        // A field of another measurement is no field of this one.
        assertThat(SchemaCheck.problems("SELECT mean(\"power_w\") FROM \"gpu_cost\"")).isNotEmpty();
    }

    @Test
    void rejectsUnquotedIdentifiersSoNoneEscapesTheCheck() {
        assertThat(SchemaCheck.problems("SELECT mean(util_gpu) FROM \"gpu_sample\""))
                .anyMatch(p -> p.contains("bare word util_gpu"));
        assertThat(SchemaCheck.problems("SELECT mean(\"util_gpu\") FROM gpu_sample")).isNotEmpty();
    }
}
