package costline.streams.prices;

import costline.events.PriceEntry;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import costline.streams.finance.OnPremCatalog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Reads prices at event time: "the version of a price key in force at t" is the version with the greatest
 * effective_from at or before t, and a version is never used before its effective_from. Every topology (cost,
 * alerts, break-even) and the audit price through this class, over the {@link PriceStore} or over a plain list of
 * versions ({@link #of}).
 *
 * <p>Decoded versions are cached per price key; the store's generation counter says when the cache is stale, so a
 * new version reaches the next lookup without decoding the whole catalog on every sample.
 */
public final class PriceBook {

    /** Where the versions come from: the raw store, or a fixed list. */
    private interface Source {
        long generation();

        NavigableMap<Long, PriceEntry> versions(String priceKey);

        Collection<String> onPremKeys();
    }

    private final Source source;
    private final Map<String, NavigableMap<Long, PriceEntry>> cache = new HashMap<>();
    private long cachedGeneration = Long.MIN_VALUE;
    /**
     * {@link #onPremFor} results per cloud model, each with the span around its time in which no on-prem version
     * starts: the family/name/map resolution only reads on-prem versions in force, so it cannot change inside the span.
     * Resolving a model scanned the on-prem keys and ran the family regex; the alert and break-even threads asked it
     * for every record and scope. Cleared with the version cache (a new generation) and when another catalog asks.
     */
    private final Map<String, OnPremSpan> onPremSpans = new HashMap<>();
    private OnPremCatalog spansCatalog;
    /** effective_from of every on-prem version of this generation (null: not read yet). */
    private java.util.NavigableSet<Long> onPremStarts;

    private record OnPremSpan(long fromMs, long untilMs, Optional<PriceEntry> entry) {
    }

    private PriceBook(Source source) {
        this.source = source;
    }

    /** Over the {@link PriceStore} named in a topology (a global store of raw bytes). */
    public static PriceBook over(org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, byte[]> store,
                                 SchemaRegistry registry) {
        AvroDeserializer<PriceEntry> decoder = new AvroDeserializer<>(registry, PriceEntry.class);
        return new PriceBook(new Source() {
            @Override
            public long generation() {
                byte[] g = store.get(PriceStore.GENERATION);
                return g == null ? 0 : ByteBuffer.wrap(g).getLong();
            }

            @Override
            public NavigableMap<Long, PriceEntry> versions(String priceKey) {
                NavigableMap<Long, PriceEntry> out = new TreeMap<>();
                try (var it = store.range(PriceKeys.versionKey(priceKey, 0), PriceKeys.versionKey(priceKey, 999_999_999_999_999L))) {
                    it.forEachRemaining(kv -> {
                        PriceEntry e = decoder.deserialize(Topics.GPU_PRICES, kv.value);
                        out.put(e.getEffectiveFrom().toEpochMilli(), e);
                    });
                }
                return out;
            }

            @Override
            public Collection<String> onPremKeys() {
                List<String> keys = new ArrayList<>();
                try (var it = store.range(OnPremCatalog.PREFIX, OnPremCatalog.PREFIX + Character.MAX_VALUE)) {
                    it.forEachRemaining(kv -> {
                        String k = kv.key.substring(0, kv.key.lastIndexOf('@'));
                        if (keys.isEmpty() || !keys.get(keys.size() - 1).equals(k)) {
                            keys.add(k);
                        }
                    });
                }
                return keys;
            }
        });
    }

    /** Over a fixed list of versions (the audit's batch fold, tests); each must pass {@link PriceRules}. */
    public static PriceBook of(Collection<PriceEntry> versions) {
        Map<String, NavigableMap<Long, PriceEntry>> byKey = new TreeMap<>();
        for (PriceEntry e : versions) {
            byKey.computeIfAbsent(e.getPriceKey(), k -> new TreeMap<>()).put(e.getEffectiveFrom().toEpochMilli(), e);
        }
        return new PriceBook(new Source() {
            @Override
            public long generation() {
                return 0;
            }

            @Override
            public NavigableMap<Long, PriceEntry> versions(String priceKey) {
                return byKey.getOrDefault(priceKey, new TreeMap<>());
            }

            @Override
            public Collection<String> onPremKeys() {
                return byKey.keySet().stream().filter(k -> k.startsWith(OnPremCatalog.PREFIX)).toList();
            }
        });
    }

    /** Every version of {@code priceKey}, by effective_from (epoch ms). */
    public NavigableMap<Long, PriceEntry> versions(String priceKey) {
        generation();
        return cache.computeIfAbsent(priceKey, source::versions);
    }

    /**
     * The catalog's generation: it changes whenever a price version is added or replaced, so a result computed from
     * these prices and kept with the generation it was computed at stays valid while this returns the same number.
     */
    public long generation() {
        long g = source.generation();
        if (g != cachedGeneration) {
            cache.clear();
            onPremSpans.clear();
            onPremStarts = null;
            cachedGeneration = g;
        }
        return g;
    }

    /** The version of {@code priceKey} in force at {@code atMs}, or null (none yet). */
    public PriceEntry at(String priceKey, long atMs) {
        Map.Entry<Long, PriceEntry> e = versions(priceKey).floorEntry(atMs);
        return e == null ? null : e.getValue();
    }

    /** {@link #at} when the version fits the site (on-prem figures for ONPREM, a cloud price for CLOUD), else null. */
    public PriceEntry at(String priceKey, Site site, long atMs) {
        return inForce(versions(priceKey), site, atMs);
    }

    /**
     * The version among {@code versions} (one price key's, from {@link #versions}) in force at {@code atMs} when it fits
     * the site, else null: for a caller that asks about several instants of one key with one look-up of its versions.
     */
    public static PriceEntry inForce(NavigableMap<Long, PriceEntry> versions, Site site, long atMs) {
        Map.Entry<Long, PriceEntry> v = versions.floorEntry(atMs);
        if (v == null) {
            return null;
        }
        PriceEntry e = v.getValue();
        boolean fits = site == Site.CLOUD ? e.getCloudPrice() != null : e.getOnprem() != null;
        return fits ? e : null;
    }

    /** The on-prem version that stands for owning a GPU like {@code cloudModel} at {@code atMs} ({@link OnPremCatalog} rules). */
    public Optional<PriceEntry> onPremFor(OnPremCatalog catalog, String cloudModel, long atMs) {
        generation();
        if (catalog != spansCatalog) {
            onPremSpans.clear();
            spansCatalog = catalog;
        }
        OnPremSpan span = onPremSpans.get(cloudModel);
        if (span != null && atMs >= span.fromMs() && atMs < span.untilMs()) {
            return span.entry();
        }
        Optional<PriceEntry> entry = resolveOnPrem(catalog, cloudModel, atMs);
        if (onPremStarts == null) {
            java.util.NavigableSet<Long> starts = new java.util.TreeSet<>();
            for (String k : source.onPremKeys()) {
                starts.addAll(versions(k).keySet());
            }
            onPremStarts = starts;
        }
        Long from = onPremStarts.floor(atMs);
        Long until = onPremStarts.higher(atMs);
        onPremSpans.put(cloudModel, new OnPremSpan(from == null ? Long.MIN_VALUE : from,
                until == null ? Long.MAX_VALUE : until, entry));
        return entry;
    }

    private Optional<PriceEntry> resolveOnPrem(OnPremCatalog catalog, String cloudModel, long atMs) {
        Function<String, PriceEntry> byKey = k -> at(k, atMs);
        return catalog.resolve(cloudModel, byKey, () -> {
            List<PriceEntry> inForce = new ArrayList<>();
            for (String k : source.onPremKeys()) {
                PriceEntry e = at(k, atMs);
                if (e != null) {
                    inForce.add(e);
                }
            }
            return inForce;
        });
    }
}
