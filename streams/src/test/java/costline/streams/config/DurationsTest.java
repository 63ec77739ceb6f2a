package costline.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one duration grammar, shared by the settings of every topology and the command line. */
class DurationsTest {

    @Test
    void unitsAndIso8601MeanTheSame() {
        assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(Durations.parse("10s")).contains(Duration.ofSeconds(10));
        assertThat(Durations.parse("30m")).contains(Duration.ofMinutes(30)).isEqualTo(Durations.parse("PT30M"));
        assertThat(Durations.parse(" 2H ")).contains(Duration.ofHours(2));
        assertThat(Durations.parse("14d")).contains(Duration.ofDays(14)).isEqualTo(Durations.parse("P14D"));
        assertThat(Durations.parse("pt6h")).contains(Duration.ofHours(6));
        assertThat(Durations.parse("0")).as("zero needs no unit").contains(Duration.ZERO);
    }

    @Test
    void anythingElseIsRefusedNamingTheKeyAndTheGrammar() {
        for (String bad : new String[] {"", "6 hours", "h", "10", "00", "1", "-5m", "PT-1H", "3w", "1.5h"}) {
            assertThat(Durations.parse(bad)).as(bad).isEmpty();
        }
        assertThatThrownBy(() -> Durations.of("breakeven.min-history", "two weeks"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("breakeven.min-history").hasMessageContaining("14d");
    }
}
