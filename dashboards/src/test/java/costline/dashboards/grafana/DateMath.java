package costline.dashboards.grafana;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grafana's relative time expressions ("now", "now-6h", "now/M", "now-1M/M"), evaluated in UTC as the dashboards
 * are (their timezone is "utc"). A "from" rounds down to the unit's start, a "to" rounds up to its end, as Grafana
 * does.
 */
public final class DateMath {

    private static final Pattern TERM = Pattern.compile("([+-])(\\d+)([smhdwMy])|/([smhdwMy])");

    private DateMath() {
    }

    public static Instant parse(String expr, Instant now, boolean roundUp) {
        if (!expr.startsWith("now")) {
            throw new IllegalArgumentException("only relative times (now...) are supported: " + expr);
        }
        ZonedDateTime t = now.atZone(ZoneOffset.UTC);
        String rest = expr.substring(3);
        Matcher m = TERM.matcher(rest);
        int pos = 0;
        while (m.find()) {
            if (m.start() != pos) {
                throw new IllegalArgumentException("bad time expression: " + expr);
            }
            pos = m.end();
            if (m.group(4) != null) {
                t = round(t, m.group(4).charAt(0), roundUp);
            } else {
                long n = Long.parseLong(m.group(2)) * (m.group(1).equals("-") ? -1 : 1);
                t = t.plus(n, unit(m.group(3).charAt(0)));
            }
        }
        if (pos != rest.length()) {
            throw new IllegalArgumentException("bad time expression: " + expr);
        }
        return t.toInstant();
    }

    private static ChronoUnit unit(char c) {
        return switch (c) {
            case 's' -> ChronoUnit.SECONDS;
            case 'm' -> ChronoUnit.MINUTES;
            case 'h' -> ChronoUnit.HOURS;
            case 'd' -> ChronoUnit.DAYS;
            case 'w' -> ChronoUnit.WEEKS;
            case 'M' -> ChronoUnit.MONTHS;
            case 'y' -> ChronoUnit.YEARS;
            default -> throw new IllegalArgumentException("unit " + c);
        };
    }

    private static ZonedDateTime round(ZonedDateTime t, char unit, boolean roundUp) {
        ZonedDateTime start = switch (unit) {
            case 'y' -> t.with(TemporalAdjusters.firstDayOfYear()).truncatedTo(ChronoUnit.DAYS);
            case 'M' -> t.with(TemporalAdjusters.firstDayOfMonth()).truncatedTo(ChronoUnit.DAYS);
            case 'w' -> t.with(java.time.DayOfWeek.MONDAY).truncatedTo(ChronoUnit.DAYS);
            default -> t.truncatedTo(unit(unit));
        };
        return roundUp ? start.plus(1, unit(unit)).minus(1, ChronoUnit.MILLIS) : start;
    }
}
