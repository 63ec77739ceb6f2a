package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateCodecTest {

    @Test
    void namesOfAnyLengthRoundTrip() {
        // 100,000 chars (writeUTF's limit is 65,535 bytes), and 70,000 three-byte chars: 210,000 bytes
        Part p = new Part("w".repeat(100_000), "推".repeat(70_000), 60_000, 30_000, 68_271, 34_136, 5, 1);
        assertThat(StateCodec.part(StateCodec.part(p))).isEqualTo(p);
        StateCodec.Seen seen = new StateCodec.Seen(42, 7, List.of(new SampleCosting.Piece(60_000, p)));
        StateCodec.Seen back = StateCodec.seen(StateCodec.seen(seen));
        assertThat(back.pieces()).isEqualTo(seen.pieces());
        assertThat(back.bodyHash()).isEqualTo(42);
        assertThat(back.energyMj()).isEqualTo(7);
    }

    @Test
    void aPendingEntryKeepsItsSequenceAndTheEarlierBarePartIsReadWithTheSequenceUnknown() {
        Part p = new Part("llm", "ml", 60_000, 30_000, 68_271, 34_136, 5, 1);
        assertThat(StateCodec.pending(StateCodec.pending(new StateCodec.Pending(7, p)))).isEqualTo(new StateCodec.Pending(7, p));
        // emitted, nothing pending: the sequence alone
        assertThat(StateCodec.pending(StateCodec.pending(new StateCodec.Pending(0, null)))).isEqualTo(new StateCodec.Pending(0, null));
        // the bytes the earlier layout wrote for a pending increment: a Part; its sequence is in cost-revisions
        assertThat(StateCodec.pending(StateCodec.part(p))).isEqualTo(new StateCodec.Pending(StateCodec.SEQUENCE_UNKNOWN, p));
        assertThatThrownBy(() -> StateCodec.pending(new byte[] {9, 0})).hasMessageContaining("unknown state layout version 9");
    }

    @Test
    void theEarlierLayoutsInTheChangelogAreStillRead() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(1);
        out.writeUTF("llm");
        out.writeBoolean(true);
        out.writeUTF("ml");
        out.writeLong(60_000);
        out.writeLong(30_000);
        out.writeLong(68_271);
        out.writeLong(34_136);
        out.writeLong(0);
        out.writeInt(1);
        assertThat(StateCodec.part(bytes.toByteArray())).isEqualTo(new Part("llm", "ml", 60_000, 30_000, 68_271, 34_136, 0, 1));

        ByteArrayOutputStream seenBytes = new ByteArrayOutputStream();
        DataOutputStream s = new DataOutputStream(seenBytes);
        s.writeByte(2);
        s.writeLong(9);
        s.writeLong(3);
        s.writeInt(1);
        s.writeLong(120_000);
        s.write(bytes.toByteArray(), 1, bytes.size() - 1);
        StateCodec.Seen seen = StateCodec.seen(seenBytes.toByteArray());
        assertThat(seen.pieces()).containsExactly(new SampleCosting.Piece(120_000, new Part("llm", "ml", 60_000, 30_000, 68_271, 34_136, 0, 1)));
    }

    @Test
    void aCorruptLengthIsAnErrorNotAHugeAllocation() {
        byte[] b = StateCodec.part(new Part("llm", null, 1, 1, 1, 1, 1, 1));
        b[1] = 0x7f; // the name's length now claims about 2 GB
        assertThatThrownBy(() -> StateCodec.part(b)).hasMessageContaining("corrupt cost state");
    }
}
