package costline.streams.drift;

/** State of one GPU's detectors, one store entry per GPU id. */
final class GpuDriftState {

    DetectorState utilization;
    DetectorState powerPerUtil;
    /** Event time of the newest sample fed; older or equal ones are redeliveries or late, and skipped. */
    long lastSampleTime = Long.MIN_VALUE;
    long skippedOutOfOrder;
    long invalidReadings;
}
