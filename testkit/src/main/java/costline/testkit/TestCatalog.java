package costline.testkit;

/**
 * A small price catalog for pipeline tests, in the catalog's YAML: a p4d.24xlarge (8 A100s at $21.96 an hour, so one
 * GPU-minute costs 45,750 micro-USD) and an on-prem H100 ($310,000 / 8 GPUs over 48 months, $2,500 a year of
 * operations, PUE 1.4, $0.12/kWh). Tests work their expected amounts out from these numbers.
 */
public final class TestCatalog {

    public static final String YAML = """
            cloud:
              - provider: aws
                region: us-east-1
                instance_type: p4d.24xlarge
                gpu_model: NVIDIA A100-SXM4-40GB
                gpus_per_instance: 8
                usd_per_hour: "21.96"
                effective_from: 2025-06-01
                reference: test
            onprem:
              - gpu_model: NVIDIA H100 80GB HBM3
                effective_from: 2025-01-01
                server_capex_usd: "310000"
                gpus_per_server: 8
                amortization_months: 48
                yearly_ops_per_gpu_usd: "2500"
                pue: 1.4
                usd_per_kwh: "0.12"
                reference: test
            """;

    private TestCatalog() {
    }
}
