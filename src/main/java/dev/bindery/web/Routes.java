package dev.bindery.web;

import dev.bindery.content.PackageTextService.Kind;
import io.javalin.config.RoutesConfig;

/**
 * Every path Bindery answers, grouped like the Bintray REST API documentation. Handler names are
 * the documentation's operation names, so a heading greps to its code.
 */
final class Routes {

    private static final String API = "/api/v1";

    private Routes() {
    }

    static void register(RoutesConfig routes, Gate gate, SubjectRoutes subjects, RepositoryRoutes repositories,
                         PackageRoutes packages, ContentRoutes content, StatsRoutes stats,
                         UsageRoutes usage, UsageReportRoutes usageReports, FormatRoutes formats,
                         SigningRoutes signing, MavenRoutes maven, TeamRoutes teams, TokenRoutes tokens,
                         RestrictionRoutes restrictions, ProductRoutes products,
                         AccessKeyRoutes accessKeys, EntitlementRoutes entitlements, SignedUrlRoutes signedUrls,
                         StreamRoutes stream, WebhookRoutes webhooks, UsageThresholdRoutes thresholds,
                         PackageTextRoutes texts) {
        routes.before(API + "/*", gate::apiCall);
        routes.get("/health", ctx -> ctx.json(java.util.Map.of("status", "ok")));

        // Admin-only extensions (Bintray created users and organizations through its web sign-up)
        routes.post(API + "/admin/users", subjects::createUser);
        routes.post(API + "/admin/orgs", subjects::createOrg);

        // Users & Organizations
        routes.get(API + "/users/{user}", subjects::getUser);
        routes.get(API + "/orgs/{org}", subjects::getOrganization);
        routes.get(API + "/users/{user}/followers", subjects::getFollowers);
        routes.get(API + "/orgs/{org}/followers", subjects::getFollowers);
        routes.get(API + "/search/users", subjects::searchUsers);

        // Repositories
        routes.get(API + "/repos/{subject}", repositories::getRepositories);
        routes.get(API + "/repos/{subject}/{repo}", repositories::getRepository);
        routes.head(API + "/repos/{subject}/{repo}", repositories::headRepository);
        routes.post(API + "/repos/{subject}/{repo}", repositories::createRepository);
        routes.patch(API + "/repos/{subject}/{repo}", repositories::updateRepository);
        routes.delete(API + "/repos/{subject}/{repo}", repositories::deleteRepository);
        routes.get(API + "/search/repos", repositories::searchRepositories);

        // Packages
        routes.get(API + "/repos/{subject}/{repo}/packages", packages::getPackages);
        routes.post(API + "/packages/{subject}/{repo}", packages::createPackage);
        routes.get(API + "/packages/{subject}/{repo}/{package}", packages::getPackage);
        routes.head(API + "/packages/{subject}/{repo}/{package}", packages::headPackage);
        routes.patch(API + "/packages/{subject}/{repo}/{package}", packages::updatePackage);
        routes.delete(API + "/packages/{subject}/{repo}/{package}", packages::deletePackage);
        routes.get(API + "/search/packages", packages::searchPackages);
        routes.get(API + "/search/packages/maven", maven::searchMavenPackages);
        routes.get(API + "/file_package/{subject}/{repo}/<path>", packages::getPackageForFile);
        routes.get(API + "/licenses/oss_licenses", packages::getOssLicenses);

        // Readme and Release Notes
        routes.get(API + "/packages/{subject}/{repo}/{package}/readme", ctx -> texts.get(ctx, Kind.README));
        routes.post(API + "/packages/{subject}/{repo}/{package}/readme", ctx -> texts.create(ctx, Kind.README));
        routes.delete(API + "/packages/{subject}/{repo}/{package}/readme", ctx -> texts.delete(ctx, Kind.README));
        routes.post(API + "/products/{subject}/{product}/readme", texts::createProductReadme);
        routes.delete(API + "/products/{subject}/{product}/readme", texts::deleteProductReadme);
        routes.get(API + "/packages/{subject}/{repo}/{package}/release_notes", ctx -> texts.get(ctx, Kind.RELEASE_NOTES));
        routes.post(API + "/packages/{subject}/{repo}/{package}/release_notes", ctx -> texts.create(ctx, Kind.RELEASE_NOTES));
        routes.delete(API + "/packages/{subject}/{repo}/{package}/release_notes", ctx -> texts.delete(ctx, Kind.RELEASE_NOTES));
        routes.get(API + "/packages/{subject}/{repo}/{package}/versions/{version}/release_notes",
                texts::getVersionReleaseNotes);
        routes.post(API + "/packages/{subject}/{repo}/{package}/versions/{version}/release_notes",
                texts::createVersionReleaseNotes);

        // Versions
        routes.post(API + "/packages/{subject}/{repo}/{package}/versions", packages::createVersion);
        routes.get(API + "/packages/{subject}/{repo}/{package}/versions/{version}", packages::getVersion);
        routes.head(API + "/packages/{subject}/{repo}/{package}/versions/{version}", packages::headVersion);
        routes.patch(API + "/packages/{subject}/{repo}/{package}/versions/{version}", packages::updateVersion);
        routes.delete(API + "/packages/{subject}/{repo}/{package}/versions/{version}", packages::deleteVersion);
        routes.get(API + "/file_version/{subject}/{repo}/<path>", packages::getVersionForFile);

        // Files
        routes.get(API + "/packages/{subject}/{repo}/{package}/files", packages::getPackageFiles);
        routes.get(API + "/packages/{subject}/{repo}/{package}/versions/{version}/files", packages::getVersionFiles);
        routes.get(API + "/search/file", packages::searchFile);
        routes.put(API + "/file_metadata/{subject}/{repo}/<path>", packages::setFileInDownloadList);

        // Content Uploading & Publishing
        routes.put(API + "/content/{subject}/{repo}/<path>", content::uploadContent);
        routes.put(API + "/maven/{subject}/{repo}/<path>", maven::mavenUpload);
        routes.get(API + "/maven/{subject}/{repo}/<path>", maven::mavenDownload);
        routes.post(API + "/content/{subject}/{repo}/{package}/{version}/publish", content::publishContent);
        routes.delete(API + "/content/{subject}/{repo}/<path>", content::deleteContent);

        // Statistics (POST as documented; GET with a body as older clients sent it)
        routes.post(API + "/packages/{subject}/{repo}/{package}/stats/{kind}", stats::getStats);
        routes.get(API + "/packages/{subject}/{repo}/{package}/stats/{kind}", stats::getStats);
        routes.post(API + "/packages/{subject}/{repo}/{package}/versions/{version}/stats/{kind}", stats::getStats);
        routes.get(API + "/packages/{subject}/{repo}/{package}/versions/{version}/stats/{kind}", stats::getStats);

        // Extensions: totals per package of a repository, per repository of a subject
        routes.post(API + "/repos/{subject}/{repo}/stats/total_downloads", stats::getTotals);
        routes.get(API + "/repos/{subject}/{repo}/stats/total_downloads", stats::getTotals);
        routes.post(API + "/subjects/{subject}/stats/total_downloads", stats::getTotals);
        routes.get(API + "/subjects/{subject}/stats/total_downloads", stats::getTotals);

        // Logs
        routes.get(API + "/packages/{subject}/{repo}/{package}/logs", stats::getLogs);
        routes.get(API + "/packages/{subject}/{repo}/{package}/logs/{log_name}", stats::downloadLog);

        // Live download feed (Server-Sent Events), per package, repository or subject
        routes.get(API + "/packages/{subject}/{repo}/{package}/live_feed", stats::liveFeed);
        routes.get(API + "/repos/{subject}/{repo}/live_feed", stats::liveFeed);
        routes.get(API + "/subjects/{subject}/live_feed", stats::liveFeed);

        // Stream API (Events Firehose): chunked JSON lines, reconnect ids, 3 connections per subject
        routes.get(API + "/stream/{subject}", stream::getStream);

        // MyJFrog usage data export (traffic of the caller's own subjects, as CSV)
        routes.get(API + "/usage_data/{type}", usage::getUsageData);

        // Usage reports (Bintray Premium and Enterprise). Javalin matches in order: the named
        // reports come before /usage/{subject}/{repo}, which would take them otherwise.
        routes.post(API + "/usage/package_usage/{subject}/{repo}", usageReports::getUsageReportForPackage);
        routes.post(API + "/usage/package_usage/{subject}/{repo}/{package}", usageReports::getUsageReportForPackage);
        routes.post(API + "/usage/business_unit_usage/{subject}", usageReports::getUsageReportGroupedByBusinessUnit);
        routes.post(API + "/usage/business_unit_usage/{subject}/{business_unit}",
                usageReports::getUsageReportGroupedByBusinessUnit);
        routes.post(API + "/usage/{subject}", usageReports::getUsageReportForSubject);
        routes.post(API + "/usage/{subject}/{repo}", usageReports::getUsageReportForRepository);

        // Schedule Metadata Calculation (Debian, RPM, Maven indexes)
        routes.post(API + "/calc_metadata/{subject}/{repo}", formats::calcMetadata);
        routes.post(API + "/calc_metadata/{subject}/{repo}/<path>", formats::calcMetadata);

        // GPG Signing. Sign a Version comes before Sign a File, whose <path> would take it otherwise.
        routes.get(API + "/users/{user}/keys/gpg/public.key", signing::getUserPublicKey);
        routes.get(API + "/orgs/{org}/keys/gpg/public.key", signing::getOrgPublicKey);
        routes.post(API + "/gpg/{subject}/{repo}/{package}/versions/{version}", signing::gpgSignVersion);
        routes.post(API + "/gpg/{subject}/{repo}/<path>", signing::gpgSignFile);

        // Extensions: key management, which Bintray did in its web UI, and the server's public key
        routes.get(API + "/keys/gpg/public.key", signing::getServerPublicKey);
        routes.get(API + "/users/{user}/keys/gpg", signing::getKey);
        routes.post(API + "/users/{user}/keys/gpg", signing::generateKey);
        routes.put(API + "/users/{user}/keys/gpg", signing::importKey);
        routes.delete(API + "/users/{user}/keys/gpg", signing::deleteKey);
        routes.get(API + "/orgs/{org}/keys/gpg", signing::getKey);
        routes.post(API + "/orgs/{org}/keys/gpg", signing::generateKey);
        routes.put(API + "/orgs/{org}/keys/gpg", signing::importKey);
        routes.delete(API + "/orgs/{org}/keys/gpg", signing::deleteKey);

        // Teams and team permissions (Bintray Premium), and organization members (admin extension,
        // which Bintray did in its web UI)
        routes.get(API + "/orgs/{org}/teams", teams::getTeams);
        routes.post(API + "/orgs/{org}/teams", teams::createTeam);
        routes.get(API + "/orgs/{org}/teams/{team}", teams::getTeam);
        routes.patch(API + "/orgs/{org}/teams/{team}", teams::updateTeam);
        routes.delete(API + "/orgs/{org}/teams/{team}", teams::deleteTeam);
        routes.get(API + "/users/{user}/teams", teams::getTeams);
        routes.post(API + "/users/{user}/teams", teams::createTeam);
        routes.get(API + "/users/{user}/teams/{team}", teams::getTeam);
        routes.patch(API + "/users/{user}/teams/{team}", teams::updateTeam);
        routes.delete(API + "/users/{user}/teams/{team}", teams::deleteTeam);
        routes.get(API + "/repos/{subject}/{repo}/permissions", teams::getAllTeamPermissions);
        routes.put(API + "/repos/{subject}/{repo}/permissions", teams::setTeamPermission);
        routes.get(API + "/repos/{subject}/{repo}/permissions/{team}", teams::getTeamPermission);
        routes.delete(API + "/repos/{subject}/{repo}/permissions/{team}", teams::deleteTeamPermission);
        routes.put(API + "/orgs/{org}/members/{user}", teams::setOrgMember);
        routes.delete(API + "/orgs/{org}/members/{user}", teams::removeOrgMember);

        // Extension: bearer tokens of users (SourceForge's pre-negotiated tokens)
        routes.post(API + "/users/{user}/tokens", tokens::createToken);
        routes.get(API + "/users/{user}/tokens", tokens::getTokens);
        routes.get(API + "/users/{user}/tokens/{id}", tokens::getToken);
        routes.delete(API + "/users/{user}/tokens/{id}", tokens::deleteToken);

        // Geo Restrictions and IP Restrictions (enforced on every /dl download)
        routes.get(API + "/repos/{subject}/{repo}/geo_restrictions", restrictions::getGeoRestrictions);
        routes.put(API + "/repos/{subject}/{repo}/geo_restrictions", restrictions::updateGeoRestrictions);
        routes.delete(API + "/repos/{subject}/{repo}/geo_restrictions", restrictions::deleteGeoRestrictions);
        routes.get(API + "/repos/{subject}/{repo}/ip_restrictions", restrictions::getIpRestrictions);
        routes.put(API + "/repos/{subject}/{repo}/ip_restrictions", restrictions::setIpRestrictions);
        routes.patch(API + "/repos/{subject}/{repo}/ip_restrictions", restrictions::updateIpRestrictions);
        routes.delete(API + "/repos/{subject}/{repo}/ip_restrictions", restrictions::deleteIpRestrictions);

        // Products, EULA Tracking and EULAs (Bintray Enterprise). Signed EULAs of all products are
        // at the product name "_all".
        routes.get(API + "/products/{subject}", products::getProducts);
        routes.post(API + "/products/{subject}", products::createProduct);
        routes.get(API + "/products/{subject}/{product}", products::getProduct);
        routes.patch(API + "/products/{subject}/{product}", products::updateProduct);
        routes.delete(API + "/products/{subject}/{product}", products::deleteProduct);
        routes.get(API + "/products/{subject}/{product}/signed_eulas", products::getProductSignedEulas);
        routes.get(API + "/products/{subject}/{product}/eulas", products::getEulas);
        routes.post(API + "/products/{subject}/{product}/eulas", products::createEula);
        routes.get(API + "/products/{subject}/{product}/eulas/{eula}", products::getEula);
        routes.patch(API + "/products/{subject}/{product}/eulas/{eula}", products::updateEula);
        routes.delete(API + "/products/{subject}/{product}/eulas/{eula}", products::deleteEula);
        routes.post(API + "/products/{subject}/{product}/eulas/{eula}/accept", products::acceptEula);
        routes.get(API + "/file_eula/{subject}/{repo}/<path>", products::getFileEula);
        // EULA-Protected Product Version download: the page where an access key accepts the EULA
        routes.get("/{subject}/product/{product}/{version}/accept_eula", products::showAcceptEula);
        routes.post("/{subject}/product/{product}/{version}/accept_eula", products::acceptEulaPage);

        // Entitlements: access keys of users and organizations, and entitlements on repositories (with
        // an optional path), packages, versions and products.
        for (var kind : new String[] {"/users/{user}", "/orgs/{org}"}) {
            routes.get(API + kind + "/access_keys", accessKeys::getAccessKeys);
            routes.post(API + kind + "/access_keys", accessKeys::createAccessKey);
            routes.get(API + kind + "/access_keys/{key}", accessKeys::getAccessKey);
            routes.patch(API + kind + "/access_keys/{key}", accessKeys::updateAccessKey);
            routes.delete(API + kind + "/access_keys/{key}", accessKeys::deleteAccessKey);
        }
        for (var scope : new String[] {"/repos/{subject}/{repo}", "/packages/{subject}/{repo}/{package}",
                "/packages/{subject}/{repo}/{package}/versions/{version}", "/products/{subject}/{product}"}) {
            routes.get(API + scope + "/entitlements", entitlements::getEntitlements);
            routes.post(API + scope + "/entitlements", entitlements::createEntitlement);
            routes.get(API + scope + "/entitlements/{entitlement}", entitlements::getEntitlement);
            routes.patch(API + scope + "/entitlements/{entitlement}", entitlements::updateEntitlement);
            routes.delete(API + scope + "/entitlements/{entitlement}", entitlements::deleteEntitlement);
        }
        routes.get(API + "/search/entitlements", entitlements::searchEntitlements);

        // URL Signing, Dynamic Download (GET beside the upload's PUT) and Re-generate Subject URL Signing Key
        routes.post(API + "/signed_url/{subject}/{repo}/<path>", signedUrls::signUrl);
        routes.get(API + "/content/{subject}/{repo}/<path>", signedUrls::dynamicDownload);
        routes.post(API + "/subjects/{subject}/keypair", signedUrls::regenerateUrlSigningKey);

        // Webhooks: called (by the delivery worker) when a version of the package is published
        routes.get(API + "/webhooks/{subject}", webhooks::getWebhooks);
        routes.get(API + "/webhooks/{subject}/{repo}", webhooks::getWebhooks);
        routes.post(API + "/webhooks/{subject}/{repo}/{package}", webhooks::registerWebhook);
        routes.post(API + "/webhooks/{subject}/{repo}/{package}/{version}", webhooks::testWebhook);
        routes.delete(API + "/webhooks/{subject}/{repo}/{package}", webhooks::deleteWebhook);

        // Usage Thresholds: alerts through the firehose and by mail
        for (var scope : new String[] {"/organization/{org}", "/repo/{org}/{repo}", "/business_unit/{org}/{business_unit}"}) {
            routes.get(API + "/usage_threshold" + scope, thresholds::getUsageThreshold);
            routes.post(API + "/usage_threshold" + scope, thresholds::createUsageThreshold);
            routes.patch(API + "/usage_threshold" + scope, thresholds::updateUsageThreshold);
            routes.delete(API + "/usage_threshold" + scope, thresholds::deleteUsageThreshold);
        }

        // Download Content, GET/HEAD /dl/:subject/:repo/:file_path, is served before Javalin by
        // DownloadHandler: it is the hot path.
    }
}
