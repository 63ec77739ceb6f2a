package costline.streams.drift;

import costline.events.Direction;

/**
 * A confirmed, sustained change in one series.
 *
 * @param baseline   level before the change (the detector's frozen baseline), in the series' unit
 * @param current    level after the change (median of the confirmation window), in the series' unit
 * @param direction  UP or DOWN
 * @param startedAt  estimated start: the time the CUSUM last left zero before firing, epoch ms
 * @param detectedAt time of the sample that confirmed the change, epoch ms
 * @param sigma      the robust noise estimate in force, in the series' unit
 */
public record Detection(double baseline, double current, Direction direction, long startedAt, long detectedAt,
                        double sigma) {
}
