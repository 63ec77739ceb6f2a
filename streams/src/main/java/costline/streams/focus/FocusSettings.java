package costline.streams.focus;

import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import java.util.List;

/**
 * Who appears in a FOCUS export as provider and billing account. Owned GPUs are a provider of their own (FOCUS 1.2,
 * origination appendix 5.1: internal infrastructure names the internal offering as provider, publisher and invoice
 * issuer); cloud rows keep the cloud's names.
 */
public record FocusSettings(String onPremProvider, String onPremService, String onPremBillingAccountId,
                            String cloudBillingAccountId, String cloudBillingAccountName) {

    public static final Setting ONPREM_PROVIDER = new Setting("focus.onprem-provider", "Owned GPUs",
            "ProviderName, PublisherName and InvoiceIssuerName of owned GPUs (the site's name; FOCUS origination 5.1: an internal offering names itself in all three)");
    public static final Setting ONPREM_SERVICE = new Setting("focus.onprem-service", "GPU Compute",
            "ServiceName of owned GPUs");
    public static final Setting ONPREM_ACCOUNT = new Setting("focus.onprem-billing-account", "owned-gpus",
            "BillingAccountId and BillingAccountName of owned GPUs (a cost centre)");
    public static final Setting CLOUD_ACCOUNT = new Setting("focus.cloud-billing-account", "cloud",
            "BillingAccountId of cloud GPUs: set the payer account id of the bill (e.g. 123456789012)");
    public static final Setting CLOUD_ACCOUNT_NAME = new Setting("focus.cloud-billing-account-name", null,
            "BillingAccountName of cloud GPUs; unset: null");

    public static final List<Setting> ALL = List.of(ONPREM_PROVIDER, ONPREM_SERVICE, ONPREM_ACCOUNT, CLOUD_ACCOUNT,
            CLOUD_ACCOUNT_NAME);

    public static FocusSettings defaults() {
        return from(Settings.of(java.util.Map.of()));
    }

    public static FocusSettings from(Settings s) {
        return new FocusSettings(required(s, ONPREM_PROVIDER), required(s, ONPREM_SERVICE), required(s, ONPREM_ACCOUNT),
                required(s, CLOUD_ACCOUNT), s.optional(CLOUD_ACCOUNT_NAME));
    }

    private static String required(Settings s, Setting key) {
        String v = s.optional(key);
        if (v == null || v.isBlank()) {
            throw new SettingsException(key.key(), "is empty", "FOCUS does not allow an empty " + key.description()
                    + "; set a name");
        }
        return v;
    }
}
