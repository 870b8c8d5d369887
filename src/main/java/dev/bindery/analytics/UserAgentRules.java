package dev.bindery.analytics;

import static dev.bindery.analytics.ClientInfo.UNKNOWN_VALUE;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The User-Agents of package managers, build tools, container tools, downloaders and runtime HTTP
 * clients, which browser-minded parsers don't know, as a table of rules tried in order; and the
 * mapping of the many ways tools write an OS name onto {@link ClientInfo#OS_FAMILIES}.
 *
 * <p>A rule's pattern must match at the start of the User-Agent (case-insensitively). Its named
 * group {@code os}, when present and matched, is the tool's own OS text, mapped by
 * {@link #osFamily}; a rule without one gives a fixed OS (apt, dnf, yum: Linux only) or unknown.
 * Each row's comment is a real User-Agent of that client. Quantifiers are possessive where they
 * can be, so a hostile User-Agent costs a rule one pass, not a backtracking search.
 */
final class UserAgentRules {

    /** @param fixedOs the OS when the pattern has no {@code os} group, null for unknown */
    private record Rule(String client, Pattern pattern, boolean hasOsGroup, String fixedOs) {

        Optional<ClientInfo> match(String userAgent) {
            Matcher matcher = pattern.matcher(userAgent);
            if (!matcher.lookingAt()) {
                return Optional.empty();
            }
            String os = hasOsGroup ? osFamily(matcher.group("os")) : fixedOs == null ? UNKNOWN_VALUE : fixedOs;
            return Optional.of(new ClientInfo(os, client));
        }
    }

    private static Rule rule(String client, String regex) {
        return rule(client, regex, null);
    }

    private static Rule rule(String client, String regex, String fixedOs) {
        return new Rule(client, Pattern.compile(regex, Pattern.CASE_INSENSITIVE), regex.contains("(?<os>"), fixedOs);
    }

    // pip and uv send linehaul JSON; "system" is platform.system(): {"name":"Linux","release":"6.5.0"}.
    private static final String LINEHAUL_SYSTEM = "(?: .*?\"system\"\\s*:\\s*\\{[^}]*?\"name\"\\s*:\\s*\"(?<os>[^\"]*)\")?";
    // npm, yarn and pnpm end in "node/<version> <process.platform> <process.arch>".
    private static final String NODE_PLATFORM = "\\S*+(?: .*?node/\\S++ (?<os>[a-z0-9]+))?";

    private static final List<Rule> RULES = List.of(
            // Apache-Maven/3.9.6 (Java 21.0.2; Linux 6.5.0-14-generic): os.name and os.version
            rule("Maven", "Apache-Maven/\\S*+(?: \\(Java [^;)]*+; (?<os>[^)]*+)\\))?"),
            // Gradle/8.5 (Linux;6.5.0-14-generic;amd64) (Eclipse Adoptium;21.0.1;21.0.1+12-LTS)
            rule("Gradle", "Gradle/\\S*+(?: \\((?<os>[^;)]*+);)?"),
            // Apache Ivy/2.5.2
            rule("Ivy", "Apache Ivy/"),
            // Coursier/2.0: sbt's resolver since 1.3; Mill and Scala CLI send the same
            rule("sbt", "Coursier/"),
            // Debian APT-HTTP/1.3 (2.6.1), Debian APT-CURL/1.0 (1.3)
            rule("apt", "Debian APT-", "Linux"),
            // libdnf (Fedora Linux 39; container; Linux.x86_64), dnf/4.18
            rule("dnf", "(?:libdnf|dnf/)", "Linux"),
            // urlgrabber/3.10 yum/3.4.3
            rule("yum", "(?:urlgrabber/\\S++ )?yum/", "Linux"),
            // npm/10.2.4 node/v20.11.0 linux x64 workspaces/false
            rule("npm", "npm/" + NODE_PLATFORM),
            // yarn/1.22.19 npm/? node/v18.19.0 linux x64
            rule("yarn", "yarn/" + NODE_PLATFORM),
            // pnpm/8.15.1 npm/? node/v20.11.0 linux x64
            rule("pnpm", "pnpm/" + NODE_PLATFORM),
            // docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.5.0 os/linux arch/amd64
            //   UpstreamClient(Docker-Client/24.0.7 \(linux\)): the daemon pulls, so its GOOS, the OS
            //   the image runs on; Docker Desktop's daemon says linux whatever the desktop is
            rule("docker", "docker/\\S*+(?: .*?\\bos/(?<os>\\w+))?"),
            // Docker-Client/24.0.7 (linux): the CLI itself, for docker manifest and login
            rule("docker", "Docker-Client/\\S*+(?: \\((?<os>\\w++)\\))?"),
            // containerd/v1.7.2, also what the kubelet pulls with through containerd's CRI
            rule("containerd", "containerd/"),
            // skopeo/1.13.3
            rule("skopeo", "skopeo/"),
            // containers/5.29.2 (github.com/containers/image): podman, and any tool on containers/image
            //   that keeps the library's default User-Agent
            rule("podman", "containers/\\S++ \\(github\\.com/containers/image\\)"),
            // Buildah/1.33.2
            rule("buildah", "Buildah/"),
            // pip/23.3.1 {"ci":null,...,"system":{"name":"Linux","release":"6.5.0-14-generic"}}
            rule("pip", "pip/\\S*+" + LINEHAUL_SYSTEM),
            // uv/0.5.11 {"installer":{"name":"uv",...},"system":{"name":"Linux",...},...}
            rule("uv", "uv/\\S*+" + LINEHAUL_SYSTEM),
            // NuGet Command Line/6.8.0 (Microsoft Windows NT 10.0.22631.0),
            // NuGet .NET Core MSBuild Task/6.8.0 (Linux 6.5.0-14-generic #14~22.04.1-Ubuntu SMP ...),
            // NuGet VS VSIX/6.8.0 (Microsoft Windows NT 10.0.22631.0, VS Enterprise/17.0)
            rule("NuGet", "NuGet[^/]*+/\\S*+(?: \\((?<os>[^,)]*+))?"),
            // curl/8.5.0
            rule("curl", "curl/"),
            // Wget/1.21.4; before 1.21 with the build's host OS: Wget/1.20.3 (linux-gnu)
            rule("wget", "Wget2?/\\S*+(?: \\((?<os>[^)]*+)\\))?"),
            // Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506,
            // Mozilla/5.0 (Linux; Linux 6.5.0-14-generic ...; en-US) PowerShell/7.4.0: a browser-like
            //   prefix, so it has to be caught before the browser parser sees it
            rule("PowerShell", "Mozilla/5\\.0 \\((?<os>[^;)]*+)[^)]*+\\) (?:Windows)?PowerShell/"),
            // Java-http-client/21.0.1 (java.net.http), Java/17.0.2 (HttpURLConnection)
            rule("Java", "Java(?:-http-client)?/"),
            // Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UD1A.231105.004): Android's HttpURLConnection
            rule("Java", "Dalvik/", "Android"),
            // Go-http-client/1.1
            rule("Go", "Go-http-client/"),
            // python-requests/2.31.0, Python-urllib/3.11, python-httpx/0.26.0, Python/3.11 aiohttp/3.9.1
            rule("Python", "(?:python-requests/|python-urllib/|python-httpx/|Python/\\S++ aiohttp/)"));

    private UserAgentRules() {
    }

    /** The first rule's verdict for a non-null, stripped User-Agent; empty when no rule knows it. */
    static Optional<ClientInfo> match(String userAgent) {
        for (Rule rule : RULES) {
            Optional<ClientInfo> info = rule.match(userAgent);
            if (info.isPresent()) {
                return info;
            }
        }
        return Optional.empty();
    }

    // Distributions whose name does not contain "linux", as browsers and .NET write them.
    private static final Set<String> LINUX_DISTRIBUTIONS = Set.of(
            "ubuntu", "kubuntu", "xubuntu", "lubuntu", "debian", "fedora", "rhel", "centos", "rocky", "suse",
            "opensuse", "gentoo", "slackware", "mint", "mageia", "mandriva", "raspbian", "alpine", "arch", "manjaro");

    /**
     * The OS family for an OS name as a tool writes it: Java's os.name ("Windows 11", "Mac OS X"),
     * Go's GOOS and Node's process.platform ("darwin", "win32"), Python's platform.system(), .NET's
     * OS description ("Microsoft Windows NT 10.0.22631.0"), a GNU host triple ("linux-gnu") or
     * ua-parser's OS family ("Ubuntu", "Chrome OS"). Null, blank or unrecognised gives unknown.
     */
    static String osFamily(String name) {
        if (name == null) {
            return UNKNOWN_VALUE;
        }
        String os = name.strip().toLowerCase(Locale.ROOT);
        if (os.startsWith("windows") || os.startsWith("microsoft windows") || os.startsWith("win32")
                || os.startsWith("win64") || os.startsWith("mingw") || os.startsWith("cygwin") || os.startsWith("msys")) {
            return "Windows";
        }
        if (os.startsWith("android")) {
            return "Android";
        }
        if (os.startsWith("ios") || os.startsWith("ipados")) {
            return "iOS";
        }
        if (os.startsWith("mac") || os.startsWith("darwin") || os.startsWith("os x")) {
            return "macOS";
        }
        if (os.startsWith("chrome os") || os.startsWith("chromeos") || os.startsWith("cros")) {
            return "ChromeOS";
        }
        if (os.startsWith("freebsd")) {
            return "FreeBSD";
        }
        if (os.startsWith("openbsd")) {
            return "OpenBSD";
        }
        if (os.startsWith("netbsd")) {
            return "NetBSD";
        }
        if (os.startsWith("sunos") || os.startsWith("solaris") || os.startsWith("illumos")) {
            return "Solaris";
        }
        if (os.startsWith("aix")) {
            return "AIX";
        }
        if (os.contains("linux") || os.startsWith("red hat") || LINUX_DISTRIBUTIONS.contains(firstWord(os))) {
            return "Linux";
        }
        return UNKNOWN_VALUE;
    }

    private static String firstWord(String text) {
        int end = 0;
        while (end < text.length() && Character.isLetter(text.charAt(end))) {
            end++;
        }
        return text.substring(0, end);
    }
}
