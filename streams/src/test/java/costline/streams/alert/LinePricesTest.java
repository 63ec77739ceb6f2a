package costline.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.OnPremPrice;
import costline.events.PriceEntry;
import costline.pricing.CostModel;
import costline.streams.finance.FinanceFixtures;
import costline.streams.finance.OnPremCatalog;
import costline.streams.prices.PriceBook;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The alert's memoized on-prem figures (on-prem version per span between versions, fixed cost per model and month,
 * board power) against the same rules evaluated directly over the plain list of versions, hour by hour through a month
 * with a mid-month price change, a family match that another key takes over, a mapped model priced only from mid-month
 * and a model with no on-prem equivalent, asked in random order (so a cached span is reused backwards and forwards).
 */
class LinePricesTest {

    static final String A100 = FinanceFixtures.A100;
    static final String H100 = "NVIDIA H100 80GB HBM3";
    static final String L4 = "NVIDIA L4";
    static final String T4 = "NVIDIA T4";

    static PriceEntry version(String key, String model, String from, String capexDollars) {
        PriceEntry base = FinanceFixtures.onPremA100(model, 150_000);
        return PriceEntry.newBuilder(base).setPriceKey(key).setEffectiveFrom(Instant.parse(from))
                .setOnprem(OnPremPrice.newBuilder(base.getOnprem()).setCapexPerGpuMicroUsd(CostModel.microUsd(capexDollars)).build())
                .build();
    }

    final List<PriceEntry> versions = List.of(
            version("onprem:" + A100, A100, "2026-01-01T00:00:00Z", "20000"),
            version("onprem:" + A100, A100, "2026-11-15T12:00:00Z", "16000"),
            version("onprem:h100-b", "NVIDIA H100 SXM", "2026-01-01T00:00:00Z", "30000"),
            version("onprem:h100-a", "NVIDIA H100 PCIe", "2026-11-20T00:00:00Z", "25000"),
            version("onprem:L40S-box", "NVIDIA L40S", "2026-11-10T06:00:00Z", "9000"),
            version("onprem:" + A100, A100, "2027-02-01T00:00:00Z", "1000"));
    final OnPremCatalog catalog = new OnPremCatalog(Map.of(L4, "L40S-box"), Map.of(), 400);

    /** The version of {@code key} in force at {@code t}, straight from the list. */
    PriceEntry at(String key, long t) {
        PriceEntry best = null;
        for (PriceEntry e : versions) {
            long from = e.getEffectiveFrom().toEpochMilli();
            if (e.getPriceKey().equals(key) && from <= t && (best == null || from > best.getEffectiveFrom().toEpochMilli())) {
                best = e;
            }
        }
        return best;
    }

    Optional<PriceEntry> direct(String model, long t) {
        return catalog.resolve(model, k -> at(k, t), () -> {
            TreeMap<String, PriceEntry> inForce = new TreeMap<>();
            for (PriceEntry e : versions) {
                PriceEntry v = at(e.getPriceKey(), t);
                if (v != null && e.getPriceKey().startsWith(OnPremCatalog.PREFIX)) {
                    inForce.put(e.getPriceKey(), v);
                }
            }
            return new ArrayList<>(inForce.values());
        });
    }

    Long directNext(String key, long t) {
        NavigableMap<Long, PriceEntry> byTime = new TreeMap<>();
        versions.stream().filter(e -> e.getPriceKey().equals(key)).forEach(e -> byTime.put(e.getEffectiveFrom().toEpochMilli(), e));
        return byTime.higherKey(t);
    }

    @Test
    void theMemoizedLinePricesAreTheDirectOnesAtEveryHourAndMonth() {
        LinePrices memo = new LinePrices(PriceBook.of(versions), catalog);
        long start = Instant.parse("2026-10-25T00:00:00Z").toEpochMilli();
        List<Long> hours = new ArrayList<>();
        for (long t = start; t < Instant.parse("2026-12-05T00:00:00Z").toEpochMilli(); t += 3_600_000L) {
            hours.add(t);
            hours.add(t + 3_599_999L);
        }
        Collections.shuffle(hours, new Random(7));
        int priced = 0;
        for (long t : hours) {
            for (String model : List.of(A100, H100, L4, T4)) {
                Optional<PriceEntry> expected = direct(model, t);
                assertThat(memo.onPremAt(model, t)).as(model + " at " + Instant.ofEpochMilli(t)).isEqualTo(expected);
                priced += expected.isPresent() ? 1 : 0;
            }
        }
        assertThat(priced).as("most asks find a version").isGreaterThan(hours.size() * 2);
        // the three models that change hands inside November
        assertThat(memo.onPremAt(H100, Instant.parse("2026-11-19T23:59:59Z").toEpochMilli()).orElseThrow().getPriceKey())
                .isEqualTo("onprem:h100-b");
        assertThat(memo.onPremAt(H100, Instant.parse("2026-11-20T00:00:00Z").toEpochMilli()).orElseThrow().getPriceKey())
                .isEqualTo("onprem:h100-a");
        assertThat(memo.onPremAt(L4, Instant.parse("2026-11-10T05:59:59Z").toEpochMilli())).isEmpty();

        for (String month : List.of("2026-10", "2026-11", "2026-12", "2026-11", "2026-10")) {
            long from = Instant.parse(month + "-01T00:00:00Z").toEpochMilli();
            long to = java.time.YearMonth.parse(month).plusMonths(1).atDay(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
            for (String model : List.of(A100, H100, L4, T4)) {
                long expected = OnPremLine.fixedOverMonth(model, from, to, (m, t) -> direct(m, t), this::directNext);
                assertThat(memo.fixedOverMonth(model, from, to)).as(model + " " + month).isEqualTo(expected);
                assertThat(memo.boardPowerW(model)).isEqualTo(catalog.boardPowerW(model));
            }
        }
        // November's A100: 14.5 days at $20,000 and 15.5 days at $16,000 capex, both with $2,500 a year of ops
        long nov15 = Instant.parse("2026-11-15T12:00:00Z").toEpochMilli();
        long novStart = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
        long decStart = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
        assertThat(memo.fixedOverMonth(A100, novStart, decStart)).isEqualTo(
                CostModel.onPremFixedCostMicroUsd(versions.get(0).getOnprem(), nov15 - novStart)
                        + CostModel.onPremFixedCostMicroUsd(versions.get(1).getOnprem(), decStart - nov15));
    }
}
