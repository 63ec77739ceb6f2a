package costline.streams.cost;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The table of names (workloads, teams) of one {@link SeenWindow} value, which its samples' encoded bodies refer to by
 * index ({@link StateCodec#seenWindow}). It is kept with the window, so a sample's names are looked up once, when it is
 * put, not once per commit for every sample of the head; its encoding is kept until a name is added.
 *
 * <p>Names are only added: one no sample uses any more stays until the window rebuilds its table
 * ({@link SeenWindow#put}), which it does when the table has grown well past the names in use at its last rebuild.
 */
final class SeenNames {

    /** Up to this many names a look-up is a scan (a GPU runs a few workloads); beyond it, a hash map. */
    private static final int SCAN = 8;

    private String[] names;
    private int count;
    /** Name -> index, built once the table outgrows {@link #SCAN}. */
    private Map<String, Integer> index;
    /** The table as encoded ({@link StateCodec#names}), or null when a name was added since. */
    private byte[] encoded;

    SeenNames() {
        this(new String[4], 0);
    }

    private SeenNames(String[] names, int count) {
        this.names = names;
        this.count = count;
    }

    /** A table of these names, in this order (a decoded value's). */
    static SeenNames of(String[] names) {
        SeenNames t = new SeenNames(Arrays.copyOf(names, Math.max(4, names.length)), names.length);
        for (int i = 0; i < t.count; i++) {
            t.indexNew(i);
        }
        return t;
    }

    int size() {
        return count;
    }

    String get(int i) {
        return names[i];
    }

    /** The index of {@code name}, added at the end when new. */
    int indexOf(String name) {
        if (index != null) {
            Integer i = index.get(name);
            if (i != null) {
                return i;
            }
        } else {
            for (int i = 0; i < count; i++) {
                if (names[i].equals(name)) {
                    return i;
                }
            }
        }
        if (count == names.length) {
            names = Arrays.copyOf(names, 2 * count);
        }
        names[count] = name;
        indexNew(count);
        encoded = null;
        return count++;
    }

    private void indexNew(int i) {
        if (index == null && i >= SCAN) {
            index = new HashMap<>();
            for (int j = 0; j < i; j++) {
                index.putIfAbsent(names[j], j);
            }
        }
        if (index != null) {
            index.putIfAbsent(names[i], i);
        }
    }

    /** The table as {@link StateCodec#names} encodes it, encoded once until a name is added. */
    byte[] encoded() {
        if (encoded == null) {
            encoded = StateCodec.names(names, count);
        }
        return encoded;
    }

    /** A table of its own with the same names and indexes (a spilled chunk's: its samples' bodies keep their indexes). */
    SeenNames copy() {
        SeenNames c = new SeenNames(Arrays.copyOf(names, names.length), count);
        c.index = index == null ? null : new HashMap<>(index);
        c.encoded = encoded;
        return c;
    }
}
