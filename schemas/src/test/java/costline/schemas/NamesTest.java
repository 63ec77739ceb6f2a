package costline.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import costline.schemas.Names.Kind;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void validNamesPassAndComeBackUnchangedFromNormalise() {
        for (String name : List.of("train-llm", "team.a/b@c+d#e(f):g_h", "NVIDIA H100 80GB HBM3", "GPU-1f2e3d4c-0000",
                "i-0abc123/0", "Übersetzung", "推理服务", "x", "a".repeat(Names.MAX_LENGTH))) {
            assertThat(Names.check(Kind.WORKLOAD, name)).as(name).isNull();
            assertThat(Names.normalise(name)).isEqualTo(name);
        }
    }

    @Test
    void refusesWithTheReason() {
        assertThat(Names.check(Kind.GPU_ID, "")).isEqualTo("gpu_id is empty");
        assertThat(Names.check(Kind.GPU_ID, null)).isEqualTo("gpu_id is empty");
        assertThat(Names.check(Kind.WORKLOAD, "a".repeat(100_000))).isEqualTo("workload is 100000 characters long, more than 128");
        assertThat(Names.check(Kind.WORKLOAD, "d\\e\nf")).contains("U+005C");
        assertThat(Names.check(Kind.WORKLOAD, "a\nb")).contains("U+000A");
        assertThat(Names.check(Kind.WORKLOAD, "a,b")).contains("U+002C");
        assertThat(Names.check(Kind.WORKLOAD, "a\"b")).contains("U+0022");
        assertThat(Names.check(Kind.WORKLOAD, " a")).contains("starts or ends with a space");
        assertThat(Names.check(Kind.WORKLOAD, "a  b")).contains("two spaces");
        assertThat(Names.check(Kind.WORKLOAD, "*fleet*")).contains("U+002A");
        assertThat(Names.check(Kind.WORKLOAD, "=cmd|' /C calc'!A0")).contains("U+003D");
        for (String formula : List.of("+1+1", "-2+3", "@SUM(A1)")) {
            assertThat(Names.check(Kind.WORKLOAD, formula)).contains("spreadsheet reads as a formula");
        }
        for (String reserved : List.of("unallocated", "Unallocated", "UNOBSERVED", "overflow")) {
            assertThat(Names.check(Kind.WORKLOAD, reserved)).contains("reserved name");
        }
        // a supplementary character counts once towards the limit
        assertThat(Names.check(Kind.TEAM, "\uD83D\uDE00")).contains("U+1F600");
    }

    @Test
    void normaliseMakesWhatTheCollectorsReadIntoValidNames() {
        assertThat(Names.normalise("d\\e\nf")).isEqualTo("d_e_f");
        assertThat(Names.normalise("  job \t\r\n name  ")).isEqualTo("job_name");
        assertThat(Names.normalise("my   job")).isEqualTo("my job");
        assertThat(Names.normalise("*fleet*")).isEqualTo("_fleet_");
        assertThat(Names.normalise("unallocated")).isEqualTo("unallocated_");
        assertThat(Names.normalise("Overflow")).isEqualTo("Overflow_");
        assertThat(Names.normalise("/kubepods/pod1234,x=y")).isEqualTo("/kubepods/pod1234_x_y");
        assertThat(Names.normalise("\n\t")).isEmpty();
        assertThat(Names.normalise("=1+2")).isEqualTo("_1+2");
        assertThat(Names.normalise("+1+2")).isEqualTo("_+1+2");
        assertThat(Names.normalise(" @team")).isEqualTo("_@team");
        assertThat(Names.normalise(null)).isNull();
        assertThat(Names.normalise("b".repeat(100_000))).hasSize(Names.MAX_LENGTH);
    }

    @Test
    void normaliseOfAnyStringIsValidOrEmpty() {
        Random r = new Random(17);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(i % 100 == 0 ? 400 : 20);
            for (int j = 0; j < n; j++) {
                b.appendCodePoint(switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(128);
                    case 1 -> ' ';
                    case 2 -> r.nextInt(0x3000);
                    default -> r.nextInt(Character.MAX_CODE_POINT + 1);
                });
            }
            if (r.nextInt(50) == 0) {
                b.setLength(0);
                b.append(List.copyOf(Topics.RESERVED_NAMES).get(r.nextInt(Topics.RESERVED_NAMES.size())));
            }
            String name = Names.normalise(b.toString());
            if (!name.isEmpty()) {
                assertThat(Names.check(Kind.WORKLOAD, name)).as("normalise(%s) = %s", b, name).isNull();
                assertThat(Names.normalise(name)).isEqualTo(name);
            }
        }
    }
}
