package costline.streams.finance;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** Calendar months in one zone: which month an instant falls in, and where a month starts and ends. */
public record MonthCalendar(ZoneId zone) {

    public static MonthCalendar utc() {
        return new MonthCalendar(ZoneId.of("UTC"));
    }

    public YearMonth monthOf(long epochMs) {
        return YearMonth.from(Instant.ofEpochMilli(epochMs).atZone(zone));
    }

    /** First instant of the month in this zone, epoch ms. */
    public long startMs(YearMonth month) {
        return month.atDay(1).atStartOfDay(zone).toInstant().toEpochMilli();
    }

    /** First instant after the month (exclusive end), epoch ms. */
    public long endMs(YearMonth month) {
        return startMs(month.plusMonths(1));
    }

    /** Day of month (1..31) of an instant, in this zone. */
    public int dayOfMonth(long epochMs) {
        ZonedDateTime t = Instant.ofEpochMilli(epochMs).atZone(zone);
        return t.getDayOfMonth();
    }
}
