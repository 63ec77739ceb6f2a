package costline.app.whatif;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import costline.pricing.CostModel;
import costline.streams.breakeven.DemandCurve;
import costline.streams.breakeven.OwnershipCost;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.List;

/**
 * A what-if scenario: demand, the cloud price and the server to buy. Read from YAML or JSON (same keys); dollars
 * as written ("32.77"), converted to micro-USD exactly. Every figure has a default of "unset" so flags can fill in.
 */
public final class Scenario {

    public Demand demand = new Demand();
    public Cloud cloud = new Cloud();
    public OnPrem onprem = new OnPrem();
    @JsonProperty("horizon_months")
    public Integer horizonMonths;

    public static final class Demand {
        /** GPUs busy at once during the busy hours. */
        public Integer gpus;
        @JsonProperty("busy_hours_per_day")
        public Double busyHoursPerDay;
        /** Or: concurrent GPUs for each hour of the day (24 values). */
        @JsonProperty("hourly_profile")
        public List<Double> hourlyProfile;
    }

    public static final class Cloud {
        @JsonProperty("instance_hourly_usd")
        public BigDecimal instanceHourlyUsd;
        @JsonProperty("gpus_per_instance")
        public Integer gpusPerInstance;
        /** Or the rate of one GPU directly. */
        @JsonProperty("gpu_hourly_usd")
        public BigDecimal gpuHourlyUsd;
    }

    public static final class OnPrem {
        @JsonProperty("server_price_usd")
        public BigDecimal serverPriceUsd;
        @JsonProperty("gpus_per_server")
        public Integer gpusPerServer;
        @JsonProperty("residual_usd")
        public BigDecimal residualUsd;
        @JsonProperty("amortization_months")
        public Integer amortizationMonths;
        /** Per server, per year: power, cooling, rack space, support, staff. */
        @JsonProperty("yearly_ops_usd")
        public BigDecimal yearlyOpsUsd;
        @JsonProperty("board_power_w")
        public Double boardPowerW;
        public Double pue;
        @JsonProperty("energy_usd_per_kwh")
        public BigDecimal energyUsdPerKwh;
    }

    /** Reads a .yaml/.yml or .json file; unknown keys are errors, so a typo does not silently become a default. */
    public static Scenario read(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            Scenario s = mapper.readValue(file.toFile(), Scenario.class);
            return s == null ? new Scenario() : s;
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + ": unknown key '" + e.getPropertyName() + "'; known keys there: "
                    + e.getKnownPropertyIds());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the scenario: " + e.getMessage(), e);
        }
    }

    /** The demand as a one-day curve in minutes. */
    public DemandCurve demandCurve() {
        if (demand.hourlyProfile != null) {
            if (demand.hourlyProfile.size() != 24) {
                throw new IllegalArgumentException("demand.hourly_profile needs 24 values (GPUs per hour of the day), got "
                        + demand.hourlyProfile.size());
            }
            long[] minutes = new long[1440];
            for (int h = 0; h < 24; h++) {
                double gpus = demand.hourlyProfile.get(h);
                if (!(gpus >= 0)) {
                    throw new IllegalArgumentException("demand.hourly_profile: hour " + h + " is " + gpus + "; GPUs must be >= 0");
                }
                for (int m = 0; m < 60; m++) {
                    minutes[h * 60 + m] = Math.round(gpus * 60_000);
                }
            }
            return new DemandCurve(60_000, minutes);
        }
        require(demand.gpus != null && demand.gpus > 0, "demand.gpus (--gpus)", "give the GPUs in use, e.g. 8");
        double hours = demand.busyHoursPerDay == null ? 24 : demand.busyHoursPerDay;
        require(hours >= 0 && hours <= 24, "demand.busy_hours_per_day (--busy-hours)", "must be within 0..24");
        return DemandCurve.dailyConstant(demand.gpus, hours);
    }

    /** Cloud rate of one GPU, micro-USD per hour. */
    public long cloudMicroUsdPerGpuHour() {
        if (cloud.gpuHourlyUsd != null) {
            return micro(cloud.gpuHourlyUsd, "cloud.gpu_hourly_usd (--cloud-gpu-hourly)");
        }
        require(cloud.instanceHourlyUsd != null, "cloud.instance_hourly_usd (--cloud-instance-hourly)",
                "give the instance's price per hour, e.g. 32.77, or cloud.gpu_hourly_usd");
        int gpus = cloud.gpusPerInstance == null ? 8 : cloud.gpusPerInstance;
        require(gpus > 0, "cloud.gpus_per_instance (--gpus-per-instance)", "must be > 0");
        return BigDecimal.valueOf(micro(cloud.instanceHourlyUsd, "cloud.instance_hourly_usd"))
                .divide(BigDecimal.valueOf(gpus), 0, RoundingMode.HALF_EVEN).longValueExact();
    }

    public OwnershipCost ownership() {
        require(onprem.serverPriceUsd != null, "onprem.server_price_usd (--server-price)", "give the server's price, e.g. 160000");
        int gpus = onprem.gpusPerServer == null ? 8 : onprem.gpusPerServer;
        require(gpus > 0, "onprem.gpus_per_server (--gpus-per-server)", "must be > 0");
        int months = amortizationMonths();
        double pue = onprem.pue == null ? 1.0 : onprem.pue;
        require(pue >= 1, "onprem.pue (--pue)", "must be >= 1");
        double watts = onprem.boardPowerW == null ? 0 : onprem.boardPowerW;
        require(watts >= 0, "onprem.board_power_w (--board-power-w)", "must be >= 0");
        costline.events.OnPremPrice price = costline.events.OnPremPrice.newBuilder()
                .setCapexPerGpuMicroUsd(perGpu(onprem.serverPriceUsd, gpus, "onprem.server_price_usd"))
                .setResidualPerGpuMicroUsd(onprem.residualUsd == null ? 0 : perGpu(onprem.residualUsd, gpus, "onprem.residual_usd"))
                .setAmortizationMonths(months)
                .setYearlyOpsPerGpuMicroUsd(onprem.yearlyOpsUsd == null ? 0 : perGpu(onprem.yearlyOpsUsd, gpus, "onprem.yearly_ops_usd"))
                .setPue(pue)
                .setEnergyMicroUsdPerKwh(onprem.energyUsdPerKwh == null ? 0 : micro(onprem.energyUsdPerKwh, "onprem.energy_usd_per_kwh"))
                .build();
        return OwnershipCost.of(price, watts);
    }

    public int amortizationMonths() {
        int months = onprem.amortizationMonths == null ? 36 : onprem.amortizationMonths;
        require(months > 0, "onprem.amortization_months (--amortization-months)", "must be > 0, e.g. 36");
        return months;
    }

    public int horizon() {
        int h = horizonMonths == null ? amortizationMonths() : horizonMonths;
        require(h > 0 && h <= 240, "horizon_months (--horizon-months)", "must be within 1..240");
        return h;
    }

    private static long perGpu(BigDecimal usd, int gpus, String key) {
        return BigDecimal.valueOf(micro(usd, key)).divide(BigDecimal.valueOf(gpus), 0, RoundingMode.HALF_EVEN).longValueExact();
    }

    private static long micro(BigDecimal usd, String key) {
        require(usd.signum() >= 0, key, "cannot be negative");
        try {
            return CostModel.microUsd(usd.toPlainString());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(key + " = " + usd + ": at most 6 decimals (micro-dollars)");
        }
    }

    private static void require(boolean ok, String key, String fix) {
        if (!ok) {
            throw new IllegalArgumentException(key + ": " + fix);
        }
    }
}
