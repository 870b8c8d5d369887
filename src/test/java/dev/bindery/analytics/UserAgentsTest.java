package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class UserAgentsTest {

    private final UserAgents userAgents = new UserAgents();

    static Stream<Arguments> tools() {
        return Stream.of(
                arguments("Apache-Maven/3.9.6 (Java 21.0.2; Linux 6.5.0-14-generic)", "Linux", "Maven"),
                arguments("Apache-Maven/3.9.6 (Java 17.0.9; Windows 11 10.0)", "Windows", "Maven"),
                arguments("Apache-Maven/3.8.8 (Java 11.0.21; Mac OS X 14.2.1)", "macOS", "Maven"),
                arguments("Apache-Maven/3.9.6", "unknown", "Maven"),
                arguments("Gradle/8.5 (Linux;6.1;amd64) (OpenJDK;21;21.0.1+12)", "Linux", "Gradle"),
                arguments("Gradle/8.5 (Linux;6.5.0-14-generic;amd64) (Eclipse Adoptium;21.0.1;21.0.1+12-LTS)",
                        "Linux", "Gradle"),
                arguments("Gradle/8.4 (Windows 11;10.0;amd64) (Oracle Corporation;17.0.2;17.0.2+8-86)",
                        "Windows", "Gradle"),
                arguments("Gradle/8.5 (Mac OS X;14.2.1;aarch64) (Azul Systems, Inc.;21.0.1;21.0.1+12-LTS)",
                        "macOS", "Gradle"),
                arguments("Apache Ivy/2.5.2", "unknown", "Ivy"),
                arguments("Coursier/2.0", "unknown", "sbt"),
                arguments("Debian APT-HTTP/1.3 (2.6.1)", "Linux", "apt"),
                arguments("Debian APT-HTTP/1.3 (2.4.11)", "Linux", "apt"),
                arguments("Debian APT-CURL/1.0 (1.3)", "Linux", "apt"),
                arguments("libdnf (Fedora Linux 39; container; Linux.x86_64)", "Linux", "dnf"),
                arguments("libdnf (Fedora Linux 40; workstation; Linux.x86_64)", "Linux", "dnf"),
                arguments("dnf/4.18", "Linux", "dnf"),
                arguments("urlgrabber/3.10 yum/3.4.3", "Linux", "yum"),
                arguments("npm/10.2.4 node/v20.11.0 linux x64 workspaces/false", "Linux", "npm"),
                arguments("npm/10.2.4 node/v20.11.0 darwin arm64 workspaces/false", "macOS", "npm"),
                arguments("npm/10.2.4 node/v20.11.0 win32 x64 workspaces/false ci/github-actions", "Windows", "npm"),
                arguments("yarn/1.22.19 npm/? node/v18.19.0 linux x64", "Linux", "yarn"),
                arguments("yarn/4.0.2 npm/? node/v20.10.0 darwin arm64", "macOS", "yarn"),
                arguments("pnpm/8.15.1 npm/? node/v20.11.0 linux x64", "Linux", "pnpm"),
                arguments("docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.5.0 os/linux arch/amd64"
                        + " UpstreamClient(Docker-Client/24.0.7 (linux))", "Linux", "docker"),
                // Docker Desktop on Windows: the daemon that pulls runs Linux, and that is what counts
                arguments("docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/5.15.133.1-microsoft-standard-WSL2"
                        + " os/linux arch/amd64 UpstreamClient(Docker-Client/24.0.7 \\(windows\\))", "Linux", "docker"),
                arguments("docker/24.0.7 go/go1.20.10 git-commit/311b9ff os/windows arch/amd64", "Windows", "docker"),
                arguments("Docker-Client/24.0.7 (linux)", "Linux", "docker"),
                arguments("containerd/v1.7.2", "unknown", "containerd"),
                arguments("skopeo/1.13.3", "unknown", "skopeo"),
                arguments("containers/5.29.2 (github.com/containers/image)", "unknown", "podman"),
                arguments("Buildah/1.33.2", "unknown", "buildah"),
                arguments("pip/23.3.1 {\"ci\":null,\"cpu\":\"x86_64\",\"distro\":{\"id\":\"jammy\",\"libc\":{\"lib\":"
                        + "\"glibc\",\"version\":\"2.35\"},\"name\":\"Ubuntu\",\"version\":\"22.04\"},\"implementation\":"
                        + "{\"name\":\"CPython\",\"version\":\"3.10.12\"},\"installer\":{\"name\":\"pip\",\"version\":"
                        + "\"23.3.1\"},\"openssl_version\":\"OpenSSL 3.0.2 15 Mar 2022\",\"python\":\"3.10.12\","
                        + "\"setuptools_version\":\"59.6.0\",\"system\":{\"name\":\"Linux\",\"release\":"
                        + "\"6.5.0-14-generic\"}}", "Linux", "pip"),
                arguments("pip/23.3.1 {\"ci\":null,\"cpu\":\"arm64\",\"distro\":{\"name\":\"macOS\",\"version\":"
                        + "\"14.2.1\"},\"implementation\":{\"name\":\"CPython\",\"version\":\"3.12.1\"},\"installer\":"
                        + "{\"name\":\"pip\",\"version\":\"23.3.1\"},\"openssl_version\":\"OpenSSL 3.1.4 24 Oct 2023\","
                        + "\"python\":\"3.12.1\",\"setuptools_version\":\"69.0.2\",\"system\":{\"name\":\"Darwin\","
                        + "\"release\":\"23.2.0\"}}", "macOS", "pip"),
                arguments("pip/23.3.2 {\"ci\":null,\"cpu\":\"AMD64\",\"implementation\":{\"name\":\"CPython\","
                        + "\"version\":\"3.12.1\"},\"installer\":{\"name\":\"pip\",\"version\":\"23.3.2\"},"
                        + "\"openssl_version\":\"OpenSSL 3.0.11 19 Sep 2023\",\"python\":\"3.12.1\","
                        + "\"setuptools_version\":\"69.0.3\",\"system\":{\"name\":\"Windows\",\"release\":\"11\"}}",
                        "Windows", "pip"),
                arguments("pip/9.0.1", "unknown", "pip"),
                arguments("uv/0.5.11 {\"installer\":{\"name\":\"uv\",\"version\":\"0.5.11\"},\"python\":\"3.12.8\","
                        + "\"implementation\":{\"name\":\"CPython\",\"version\":\"3.12.8\"},\"distro\":{\"name\":"
                        + "\"Ubuntu\",\"version\":\"24.04\",\"id\":\"noble\",\"libc\":{\"lib\":\"glibc\",\"version\":"
                        + "\"2.39\"}},\"system\":{\"name\":\"Linux\",\"release\":\"6.8.0-51-generic\"},\"cpu\":"
                        + "\"x86_64\",\"openssl_version\":null,\"setuptools_version\":null,\"rustc_version\":null,"
                        + "\"ci\":null}", "Linux", "uv"),
                arguments("NuGet Command Line/6.8.0 (Microsoft Windows NT 10.0.22631.0)", "Windows", "NuGet"),
                arguments("NuGet VS VSIX/6.8.0 (Microsoft Windows NT 10.0.22631.0, VS Enterprise/17.0)",
                        "Windows", "NuGet"),
                arguments("NuGet .NET Core MSBuild Task/6.8.0 (Linux 6.5.0-14-generic #14~22.04.1-Ubuntu SMP"
                        + " PREEMPT_DYNAMIC Mon Nov 20 18:15:30 UTC 2)", "Linux", "NuGet"),
                arguments("curl/8.5.0", "unknown", "curl"),
                arguments("curl/7.81.0", "unknown", "curl"),
                arguments("Wget/1.21.4", "unknown", "wget"),
                arguments("Wget/1.20.3 (linux-gnu)", "Linux", "wget"),
                arguments("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506",
                        "Windows", "PowerShell"),
                arguments("Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.22631; en-US) PowerShell/7.4.0",
                        "Windows", "PowerShell"),
                arguments("Mozilla/5.0 (Linux; Linux 6.5.0-14-generic #14~22.04.1-Ubuntu SMP PREEMPT_DYNAMIC"
                        + " Mon Nov 20 18:15:30 UTC 2; en-US) PowerShell/7.4.0", "Linux", "PowerShell"),
                arguments("Java-http-client/21.0.1", "unknown", "Java"),
                arguments("Java/17.0.2", "unknown", "Java"),
                arguments("Java/1.8.0_392", "unknown", "Java"),
                arguments("Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UD1A.231105.004)", "Android", "Java"),
                arguments("Go-http-client/1.1", "unknown", "Go"),
                arguments("Go-http-client/2.0", "unknown", "Go"),
                arguments("python-requests/2.31.0", "unknown", "Python"),
                arguments("Python-urllib/3.11", "unknown", "Python"),
                arguments("python-httpx/0.26.0", "unknown", "Python"),
                arguments("Python/3.11 aiohttp/3.9.1", "unknown", "Python"));
    }

    @ParameterizedTest(name = "{2} on {1}: {0}")
    @MethodSource("tools")
    void namesPackageManagersAndToolsAndTheOsTheyReport(String userAgent, String os, String client) {
        assertThat(userAgents.classify(userAgent)).isEqualTo(new ClientInfo(os, client));
    }

    static Stream<Arguments> browsers() {
        return Stream.of(
                arguments("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/120.0.0.0 Safari/537.36", "Windows", "Chrome"),
                arguments("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/120.0.0.0 Safari/537.36", "macOS", "Chrome"),
                arguments("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/120.0.0.0 Safari/537.36", "Linux", "Chrome"),
                arguments("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Ubuntu Chromium/83.0.4103.61 Chrome/83.0.4103.61 Safari/537.36", "Linux", "Chrome"),
                arguments("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/120.0.6099.144 Mobile Safari/537.36", "Android", "Chrome"),
                arguments("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/120.0.6099.144 Mobile Safari/537.36", "Android", "Chrome"),
                arguments("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15"
                        + " (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1", "iOS", "Chrome"),
                arguments("Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
                        + " CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", "iOS", "Chrome"),
                arguments("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/120.0.0.0 Safari/537.36", "ChromeOS", "Chrome"),
                arguments("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
                        "Linux", "Firefox"),
                arguments("Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
                        "Linux", "Firefox"),
                arguments("Mozilla/5.0 (X11; Linux aarch64; rv:128.0) Gecko/20100101 Firefox/128.0", "Linux", "Firefox"),
                arguments("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
                        "Windows", "Firefox"),
                arguments("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0",
                        "macOS", "Firefox"),
                arguments("Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", "Android", "Firefox"),
                arguments("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15"
                        + " (KHTML, like Gecko) FxiOS/121.0 Mobile/15E148 Safari/605.1.15", "iOS", "Firefox"),
                arguments("Mozilla/5.0 (X11; FreeBSD amd64; rv:121.0) Gecko/20100101 Firefox/121.0", "FreeBSD", "Firefox"),
                arguments("Mozilla/5.0 (X11; OpenBSD amd64; rv:109.0) Gecko/20100101 Firefox/115.0", "OpenBSD", "Firefox"),
                arguments("Mozilla/5.0 (X11; SunOS i86pc; rv:91.0) Gecko/20100101 Firefox/91.0", "Solaris", "Firefox"),
                arguments("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
                        + " Version/17.2 Safari/605.1.15", "macOS", "Safari"),
                arguments("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15"
                        + " (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1", "iOS", "Safari"),
                arguments("Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
                        + " Version/17.2 Mobile/15E148 Safari/604.1", "iOS", "Safari"),
                arguments("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "Windows", "Edge"),
                arguments("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "macOS", "Edge"),
                arguments("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/120.0.0.0 Mobile Safari/537.36 EdgA/120.0.2210.115", "Android", "Edge"),
                arguments("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15"
                        + " (KHTML, like Gecko) Version/17.0 EdgiOS/120.2210.126 Mobile/15E148 Safari/605.1.15",
                        "iOS", "Edge"),
                arguments("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582", "Windows", "Edge"),
                arguments("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0", "Windows", "Opera"),
                arguments("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/131.0.0.0 Mobile Safari/537.36 OPR/86.0.0.0", "Android", "Opera"),
                arguments("Opera/9.80 (Windows NT 6.1; U; en) Presto/2.12.388 Version/12.18", "Windows", "Opera"),
                arguments("Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "Android", "Samsung Internet"));
    }

    @ParameterizedTest(name = "{2} on {1}: {0}")
    @MethodSource("browsers")
    void namesDesktopAndMobileBrowsersAndTheirOs(String userAgent, String os, String client) {
        assertThat(userAgents.classify(userAgent)).isEqualTo(new ClientInfo(os, client));
    }

    static Stream<Arguments> otherClients() {
        return Stream.of(
                // in-app web views, retired and minor browsers, crawlers, and libraries outside the set
                arguments("Mozilla/5.0 (Linux; Android 10; K; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0"
                        + " Chrome/120.0.6099.144 Mobile Safari/537.36", "Android", "unknown"),
                arguments("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15"
                        + " (KHTML, like Gecko) Mobile/15E148", "iOS", "unknown"),
                arguments("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", "Windows", "unknown"),
                arguments("Mozilla/5.0 (Linux; U; Android 11; en-US; SM-A125F) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Version/4.0 Chrome/57.0.2987.108 UCBrowser/13.4.0.1306 Mobile Safari/537.36",
                        "Android", "unknown"),
                arguments("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " HeadlessChrome/120.0.6099.109 Safari/537.36", "Linux", "unknown"),
                arguments("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "unknown", "unknown"),
                arguments("Apache-HttpClient/4.5.14 (Java/17.0.9)", "unknown", "unknown"),
                arguments("okhttp/4.12.0", "unknown", "unknown"));
    }

    @ParameterizedTest(name = "{1}, {2}: {0}")
    @MethodSource("otherClients")
    void namesOnlyTheOsOfClientsOutsideTheSet(String userAgent, String os, String client) {
        assertThat(userAgents.classify(userAgent)).isEqualTo(new ClientInfo(os, client));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\t\r\n", "-", "garbage", "Mozilla/5.0", "Mozilla/", "() ;;; //", "\u0000\u0001\u0002",
            "Mozilla/5.0 (", "npm", "ünïcödé/1.0 (☃)", "/////////", "{\"system\":{\"name\":\"Linux\"}}"})
    void treatsNothingAndGarbageAsUnknown(String userAgent) {
        assertThat(userAgents.classify(userAgent)).isEqualTo(ClientInfo.UNKNOWN);
    }

    @Test
    void readsOnlyTheStartOfA64KiBUserAgent() {
        // given: 64 KiB User-Agents, junk and junk after a real one
        var random = new Random(42);
        var junk = new StringBuilder();
        while (junk.length() < 64 * 1024) {
            junk.append((char) (' ' + random.nextInt(95)));
        }
        var maven = "Apache-Maven/3.9.6 (Java 21.0.2; Linux 6.5.0-14-generic) ";
        var chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Chrome/120.0.0.0 Safari/537.36 ";

        // when, then
        assertThat(userAgents.classify(junk.toString())).isEqualTo(ClientInfo.UNKNOWN);
        assertThat(userAgents.classify("a".repeat(64 * 1024))).isEqualTo(ClientInfo.UNKNOWN);
        assertThat(userAgents.classify("Mozilla/5.0 (" + " ;".repeat(32 * 1024) + ")").client()).isEqualTo("unknown");
        assertThat(userAgents.classify("pip/23.3.1 {" + "\"x\":".repeat(16 * 1024))).isEqualTo(
                new ClientInfo("unknown", "pip"));
        assertThat(userAgents.classify(maven + junk)).isEqualTo(new ClientInfo("Linux", "Maven"));
        assertThat(userAgents.classify(chrome + junk).client()).isEqualTo("Chrome");
    }

    @Test
    void answersOnlyFromItsVocabularies() {
        // given: every User-Agent above
        var all = new ArrayList<String>();
        Stream.of(tools(), browsers(), otherClients()).flatMap(s -> s).forEach(a -> all.add((String) a.get()[0]));
        all.add("garbage");

        for (String userAgent : all) {
            // when
            var info = userAgents.classify(userAgent);
            // then
            assertThat(ClientInfo.OS_FAMILIES).as(userAgent).contains(info.os());
            assertThat(ClientInfo.CLIENTS).as(userAgent).contains(info.client());
        }
    }

    @Test
    void answersARepeatedUserAgentFromTheCache() {
        var first = userAgents.classify("Gradle/8.5 (Linux;6.1;amd64) (OpenJDK;21;21.0.1+12)");
        // a different String object with the same text
        var second = userAgents.classify(new String("Gradle/8.5 (Linux;6.1;amd64) (OpenJDK;21;21.0.1+12)"));
        assertThat(second).isSameAs(first);
    }

    @Test
    void keepsTheCacheWithinItsWeight() {
        // given: a cache for about 100 entries of 36 characters
        var small = new UserAgents(100L * (UserAgents.ENTRY_WEIGHT + 36));
        // when: 5,000 different User-Agents, short ones then 1 KiB ones
        for (int i = 0; i < 4_000; i++) {
            small.classify("curl/%030d".formatted(i));
        }
        for (int i = 0; i < 1_000; i++) {
            small.classify("curl/" + "x".repeat(1_000) + i);
        }
        // then
        assertThat(small.cachedEntries()).isBetween(1L, 100L);
        assertThat(small.classify("curl/8.5.0")).isEqualTo(new ClientInfo("unknown", "curl"));
    }

    @Test
    void givesEveryThreadTheSameAnswers() throws Exception {
        // given: the User-Agents above and what one thread makes of them
        var all = new ArrayList<Arguments>();
        Stream.of(tools(), browsers(), otherClients()).flatMap(s -> s).forEach(all::add);
        var shared = new UserAgents();

        // when: four threads classify them all, many times over, through one instance
        List<Future<List<String>>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            for (int t = 0; t < 4; t++) {
                results.add(threads.submit(() -> {
                    var wrong = new ArrayList<String>();
                    for (int round = 0; round < 20; round++) {
                        for (Arguments arguments : all) {
                            Object[] a = arguments.get();
                            var info = shared.classify((String) a[0]);
                            if (!info.equals(new ClientInfo((String) a[1], (String) a[2]))) {
                                wrong.add(a[0] + " -> " + info);
                            }
                        }
                    }
                    return wrong;
                }));
            }
        }

        // then
        for (Future<List<String>> result : results) {
            assertThat(result.get()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Linux                             | Linux
            linux-gnu                         | Linux
            Ubuntu                            | Linux
            Red Hat                           | Linux
            Fedora Linux 39                   | Linux
            Windows 11 10.0                   | Windows
            Windows Server 2022               | Windows
            Windows NT                        | Windows
            win32                             | Windows
            mingw32                           | Windows
            Microsoft Windows NT 10.0.22631.0 | Windows
            Microsoft Windows 10.0.22631      | Windows
            Mac OS X 14.2.1                   | macOS
            Macintosh                         | macOS
            darwin                            | macOS
            Darwin                            | macOS
            iOS                               | iOS
            Android                           | Android
            Chrome OS                         | ChromeOS
            FreeBSD 14.0-RELEASE              | FreeBSD
            freebsd13.2                       | FreeBSD
            OpenBSD                           | OpenBSD
            netbsd                            | NetBSD
            SunOS 5.11                        | Solaris
            illumos                           | Solaris
            AIX 7.2                           | AIX
            Other                             | unknown
            Plan 9                            | unknown
            ''                                | unknown
            """)
    void mapsTheWaysToolsNameAnOsOntoOneFamily(String name, String family) {
        assertThat(UserAgentRules.osFamily(name)).isEqualTo(family);
    }

    @Test
    void mapsNoOsNameToUnknown() {
        assertThat(UserAgentRules.osFamily(null)).isEqualTo("unknown");
    }
}
