package dev.bindery.analytics;

import java.util.List;
import java.util.Objects;

/**
 * What a download's User-Agent says about the machine and the program that fetched it, as found by
 * {@link UserAgents}.
 *
 * <p>Both fields take their values from the fixed vocabularies below, so reports can group by them
 * and the sets never grow with traffic; whatever is not recognised is {@code "unknown"}. A name,
 * once here, is not renamed: stored rollups refer to it.
 *
 * <ul>
 *   <li>{@link #OS_FAMILIES}: "Linux" (every distribution), "Windows", "macOS", "Android", "iOS"
 *       (iPadOS too), "ChromeOS", "FreeBSD", "OpenBSD", "NetBSD", "Solaris" (illumos too), "AIX",
 *       "unknown".
 *   <li>{@link #CLIENTS}: build tools "Maven", "Gradle", "Ivy", "sbt" (Coursier, which sbt, Mill and
 *       Scala CLI share); system package managers "apt", "dnf" (libdnf, microdnf too), "yum";
 *       language package managers "npm", "yarn", "pnpm", "pip", "uv", "NuGet"; container tools
 *       "docker", "containerd", "podman" (every tool on containers/image that keeps its default
 *       User-Agent), "skopeo", "buildah"; downloaders "curl", "wget", "PowerShell"; browsers
 *       "Chrome" (Chromium too), "Firefox", "Safari", "Edge", "Opera", "Samsung Internet"; the
 *       HTTP clients of language runtimes "Java" (HttpURLConnection, java.net.http.HttpClient,
 *       Android's Dalvik), "Go" (net/http), "Python" (requests, urllib, httpx, aiohttp); and
 *       "unknown".
 * </ul>
 *
 * @param os     the OS family, one of {@link #OS_FAMILIES}
 * @param client the program, one of {@link #CLIENTS}
 */
public record ClientInfo(String os, String client) {

    /** The value of either field when the User-Agent does not tell. */
    public static final String UNKNOWN_VALUE = "unknown";

    /** Every value {@link #os()} takes, in the order a report would list them. */
    public static final List<String> OS_FAMILIES = List.of(
            "Linux", "Windows", "macOS", "Android", "iOS", "ChromeOS", "FreeBSD", "OpenBSD", "NetBSD", "Solaris", "AIX",
            UNKNOWN_VALUE);

    /** Every value {@link #client()} takes, in the order a report would list them. */
    public static final List<String> CLIENTS = List.of(
            "Maven", "Gradle", "Ivy", "sbt",
            "apt", "dnf", "yum",
            "npm", "yarn", "pnpm", "pip", "uv", "NuGet",
            "docker", "containerd", "podman", "skopeo", "buildah",
            "curl", "wget", "PowerShell",
            "Chrome", "Firefox", "Safari", "Edge", "Opera", "Samsung Internet",
            "Java", "Go", "Python",
            UNKNOWN_VALUE);

    /** Neither the OS nor the client could be told. */
    public static final ClientInfo UNKNOWN = new ClientInfo(UNKNOWN_VALUE, UNKNOWN_VALUE);

    public ClientInfo {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(client, "client");
    }
}
