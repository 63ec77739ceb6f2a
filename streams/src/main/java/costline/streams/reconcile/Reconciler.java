package costline.streams.reconcile;

import costline.events.BillReconciliation;
import java.math.BigInteger;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares the bill with costline per EC2 instance and month, and names the likely cause of a difference above the
 * tolerance (basis points of the billed cost):
 * <ul>
 *   <li>INSTANCE_NOT_SEEN: billed, but costline has no sample of it (the poller does not read its region or account,
 *       or its agent publishes nothing);</li>
 *   <li>NOT_BILLED: costline costed it, the bill has no instance usage for it (another payer account, a bill not
 *       complete yet);</li>
 *   <li>HOURS_MISSING / EXTRA_HOURS: costline observed fewer / more instance-hours than were billed (by more than the
 *       tolerance);</li>
 *   <li>DISCOUNT_NOT_IN_CATALOG: the bill's effective hourly rate is below costline's by more than the tolerance (a
 *       Savings Plan, reservation, spot or negotiated discount costline was not told of);</li>
 *   <li>RATE_ABOVE_CATALOG: the bill's rate is above costline's.</li>
 * </ul>
 * Rates are compared per instance-hour, so missing hours and a discount are told apart; both can apply at once.
 */
public final class Reconciler {

    static final long MS_PER_HOUR = 3_600_000L;

    private final int toleranceBp;

    public Reconciler(int toleranceBp) {
        if (toleranceBp < 0 || toleranceBp > 10_000) {
            throw new IllegalArgumentException("tolerance must be 0..100 %, got " + toleranceBp / 100.0 + " %");
        }
        this.toleranceBp = toleranceBp;
    }

    public List<BillReconciliation> reconcile(YearMonth month, Map<String, BillLine> bill, Map<String, InstanceUsage> seen,
                                              Instant now) {
        List<BillReconciliation> out = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>(bill.keySet());
        ids.addAll(seen.keySet());
        for (String id : ids) {
            out.add(one(month, id, bill.get(id), seen.get(id), now));
        }
        return out;
    }

    private BillReconciliation one(YearMonth month, String id, BillLine b, InstanceUsage u, Instant now) {
        long billed = b == null ? 0 : b.effectiveMicroUsd();
        long estimated = u == null ? 0 : u.estimatedMicroUsd();
        long billedMs = b == null ? 0 : b.billedMs();
        long observedMs = u == null ? 0 : u.observedMs();
        long diff = estimated - billed;
        Long billedRate = billedMs == 0 ? null : perHour(billed, billedMs);
        Long estimatedRate = observedMs == 0 ? null : perHour(estimated, observedMs);
        List<String> causes = new ArrayList<>();
        boolean alert;
        if (b == null) {
            causes.add("NOT_BILLED");
            alert = estimated != 0;
        } else if (u == null) {
            causes.add("INSTANCE_NOT_SEEN");
            alert = billed != 0;
        } else {
            alert = beyond(Math.abs(diff), billed);
            if (alert) {
                if (beyond(billedMs - observedMs, billedMs)) {
                    causes.add("HOURS_MISSING");
                } else if (beyond(observedMs - billedMs, billedMs)) {
                    causes.add("EXTRA_HOURS");
                }
                if (billedRate != null && estimatedRate != null) {
                    if (beyond(estimatedRate - billedRate, estimatedRate)) {
                        causes.add("DISCOUNT_NOT_IN_CATALOG");
                    } else if (beyond(billedRate - estimatedRate, estimatedRate)) {
                        causes.add("RATE_ABOVE_CATALOG");
                    }
                }
            }
        }
        Integer bp = billed == 0 ? null : BigInteger.valueOf(diff).multiply(BigInteger.valueOf(10_000))
                .divide(BigInteger.valueOf(billed)).intValueExact();
        return BillReconciliation.newBuilder()
                .setMonth(month.toString()).setInstanceId(id)
                .setRegion(b != null && b.region() != null ? b.region() : u != null ? u.region() : null)
                .setInstanceType(u != null && u.instanceType() != null ? u.instanceType() : b != null ? b.instanceType() : null)
                .setBilledMicroUsd(billed).setEstimatedMicroUsd(estimated).setDifferenceMicroUsd(diff).setDifferenceBp(bp)
                .setBilledMs(billedMs).setObservedMs(observedMs)
                .setBilledMicroUsdPerHour(billedRate).setEstimatedMicroUsdPerHour(estimatedRate)
                .setPricingCategory(b == null ? null : b.pricingCategory())
                .setCommitmentDiscountId(b == null ? null : b.commitmentId())
                .setCauses(causes).setAlert(alert).setToleranceBp(toleranceBp).setReconciledAt(now)
                .build();
    }

    /** True when {@code amount} exceeds the tolerance of {@code basis} (both positive for a finding). */
    private boolean beyond(long amount, long basis) {
        return amount > 0 && BigInteger.valueOf(amount).multiply(BigInteger.valueOf(10_000))
                .compareTo(BigInteger.valueOf(Math.abs(basis)).multiply(BigInteger.valueOf(toleranceBp))) > 0;
    }

    /** micro-USD per hour, half-up. */
    static long perHour(long microUsd, long ms) {
        return BigInteger.valueOf(microUsd).multiply(BigInteger.valueOf(MS_PER_HOUR)).add(BigInteger.valueOf(ms / 2))
                .divide(BigInteger.valueOf(ms)).longValueExact();
    }
}
