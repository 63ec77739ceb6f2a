package costline.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import costline.embedded.EmbeddedQuestDb;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * SQL reads of an {@link EmbeddedQuestDb} for tests: single numbers, waits until a query reaches an expected value
 * (rows appear after a short WAL-apply delay, and not at all while the store is down), and dollar sums turned back
 * into exact micro-dollars.
 */
public final class StoreQueries {

    private StoreQueries() {
    }

    /** The first cell of the result, or null when it is not a number, the table is not there yet or the store is down. */
    public static Number scalarOrNull(EmbeddedQuestDb store, String sql) {
        try {
            JsonNode cell = store.sql(sql).path("dataset").path(0).path(0);
            return cell.isNumber() ? cell.numberValue() : null;
        } catch (IllegalStateException tableNotThereYetOrStoreDown) {
            return null;
        }
    }

    public static Number scalar(EmbeddedQuestDb store, String sql) {
        Number n = scalarOrNull(store, sql);
        if (n == null) {
            throw new AssertionError("no number from: " + sql);
        }
        return n;
    }

    /** Dollars summed as doubles back to whole micro-dollars: exact while the sum has under ~15 significant digits. */
    public static long toMicro(Number dollars) {
        return BigDecimal.valueOf(dollars.doubleValue()).movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    public static long micro(EmbeddedQuestDb store, String sql) {
        return toMicro(scalar(store, sql));
    }

    /** Waits until {@code sql} gives {@code expected} (as a long); fails with the last value seen. */
    public static void awaitLong(EmbeddedQuestDb store, String sql, long expected, Duration timeout) throws InterruptedException {
        await(store, sql, expected, timeout, false);
    }

    /** Waits until {@code sql}, a sum of dollars, equals {@code expectedMicro} micro-dollars; fails with the last value. */
    public static void awaitMicro(EmbeddedQuestDb store, String sql, long expectedMicro, Duration timeout) throws InterruptedException {
        await(store, sql, expectedMicro, timeout, true);
    }

    private static void await(EmbeddedQuestDb store, String sql, long expected, Duration timeout, boolean dollars)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            Number n = scalarOrNull(store, sql);
            last = n == null ? -1 : dollars ? toMicro(n) : n.longValue();
            if (last == expected) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(sql + ": expected " + expected + " but was " + last + " after " + timeout);
    }
}
