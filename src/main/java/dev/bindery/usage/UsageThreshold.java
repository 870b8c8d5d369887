package dev.bindery.usage;

import java.util.List;
import java.util.Locale;

/**
 * A usage threshold of an organization, of one of its repositories or of one of its business
 * units: byte limits per UTC month (storage, downloads) and per UTC day (downloads), 0 meaning off,
 * and who is alerted when one is exceeded.
 *
 * @param owner  the organization
 * @param target the repository or business unit; empty for the organization
 */
public record UsageThreshold(String owner, Scope scope, String target, long monthlyStorageBytes,
                             long monthlyDownloadBytes, long dailyDownloadBytes, List<String> alertToEmails,
                             boolean alertToAdmins) {

    public UsageThreshold {
        alertToEmails = List.copyOf(alertToEmails);
    }

    /** What a threshold covers; {@link #wire} is its name in the API paths and events. */
    public enum Scope {
        ORGANIZATION, REPO, BUSINESS_UNIT;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Scope fromWire(String wire) {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        }
    }

    /** The three limits, with their API field names; {@link #daily} ones count per day, the others per month. */
    public enum Kind {
        MONTHLY_STORAGE_BYTES(false), MONTHLY_DOWNLOAD_BYTES(false), DAILY_DOWNLOAD_BYTES(true);

        private final boolean daily;

        Kind(boolean daily) {
            this.daily = daily;
        }

        public boolean daily() {
            return daily;
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The limit of {@code kind}; 0 when it is off. */
    public long limit(Kind kind) {
        return switch (kind) {
            case MONTHLY_STORAGE_BYTES -> monthlyStorageBytes;
            case MONTHLY_DOWNLOAD_BYTES -> monthlyDownloadBytes;
            case DAILY_DOWNLOAD_BYTES -> dailyDownloadBytes;
        };
    }

    /** Which threshold: the organization, the scope and the target. */
    public record Ref(Scope scope, String org, String target) {

        public static Ref organization(String org) {
            return new Ref(Scope.ORGANIZATION, org, "");
        }

        public static Ref repo(String org, String repo) {
            return new Ref(Scope.REPO, org, repo);
        }

        public static Ref businessUnit(String org, String unit) {
            return new Ref(Scope.BUSINESS_UNIT, org, unit);
        }

        /** {@code acme}, {@code acme/repo} or {@code acme business unit 'x'}, for messages. */
        @Override
        public String toString() {
            return switch (scope) {
                case ORGANIZATION -> "organization '" + org + "'";
                case REPO -> "repository '" + org + "/" + target + "'";
                case BUSINESS_UNIT -> "business unit '" + target + "' of '" + org + "'";
            };
        }
    }

    public Ref ref() {
        return new Ref(scope, owner, target);
    }
}
