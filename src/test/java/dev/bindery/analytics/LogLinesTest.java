package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Download log lines byte for byte: plain values, values that need quoting or escaping in either
 * format (quotes, backslashes, commas, control characters, non-ASCII, leading and trailing spaces, a
 * leading {@code #}), and missing ones.
 */
class LogLinesTest {

    private static final String APACHE_PLAIN = "198.51.100.7 - anonymous [2023-11-14T22:13:20.123 +0000] \"GET /sub/repo/dir/file.jar HTTP/1.1\" 200 1234 \"-\" \"curl/8.5.0\"\n";
    private static final String CSV_PLAIN = "2023-11-14T22:13:20.123Z,198.51.100.7,anonymous,sub,repo,pkg,1.0,dir/file.jar,GET,200,1234,,curl/8.5.0,,US,CA,San Jose,95141,37.33,-121.89,Google LLC,15169,Linux,curl\n";
    private static final String APACHE_ESCAPED = "2001:db8::1 - bob:cb1 [2023-11-14T22:13:20.999 +0000] \"GET /sub/repo/a,b/\"q\".zip HTTP/1.1\" 206 10 \"https://x.example/?a=1,2\" \"Mozilla \\\"quoted\\\" \\\\ back\\x01ctl\"\n";
    private static final String CSV_QUOTED = "2023-11-14T22:13:20.999Z,2001:db8::1,bob:cb1,sub,repo,pkg,2.0,\"a,b/\"\"q\"\".zip\",GET,206,10,bytes=0-9,\"Mozilla \"\"quoted\"\" \\ back\u0001ctl\",\"https://x.example/?a=1,2\",,,,,,,\"Org, Inc. \u00e9\",,Windows,browser\n";
    private static final String APACHE_EMPTY = "10.0.0.1 - anonymous [2023-11-14T22:13:20.000 +0000] \"HEAD /s/r/p HTTP/1.1\" 404 0 \"-\" \"-\"\n";
    private static final String CSV_EMPTY = "2023-11-14T22:13:20.000Z,10.0.0.1,anonymous,s,r,p,v,p,HEAD,404,0,,,,,\" lead\",\"trail \",\"#hash\",0.0,1.5E-7,,0,,\n";
    private static final String CSV_HEADER_LINE = "time,ip,user,subject,repo,package,version,path,method,status,bytes,range,user_agent,referrer,country,region,city,zip,latitude,longitude,organization,asn,os,client\n";

    private static final DownloadEvent PLAIN = new DownloadEvent(1700000000123L, "198.51.100.7", "anonymous", "sub",
            "repo", "pkg", "1.0", "dir/file.jar", "GET", 200, 1234L, null, "curl/8.5.0", null, "US", "CA", "San Jose",
            "95141", 37.33, -121.89, 15169L, "Google LLC", "Linux", "curl");
    private static final DownloadEvent ESCAPED = new DownloadEvent(1700000000999L, "2001:db8::1", "bob:cb1", "sub",
            "repo", "pkg", "2.0", "a,b/\"q\".zip", "GET", 206, 10L, "bytes=0-9", "Mozilla \"quoted\" \\ back\u0001ctl",
            "https://x.example/?a=1,2", null, null, null, null, null, null, null, "Org, Inc. \u00e9", "Windows", "browser");
    private static final DownloadEvent EMPTY = new DownloadEvent(1700000000000L, "10.0.0.1", "anonymous", "s", "r", "p",
            "v", "p", "HEAD", 404, 0L, "", "", "", "", " lead", "trail ", "#hash", 0.0, 1.5E-7, 0L, "", "", "");

    @Test
    void apacheLines() {
        assertThat(LogLines.apache(PLAIN)).isEqualTo(APACHE_PLAIN);
        assertThat(LogLines.apache(ESCAPED)).isEqualTo(APACHE_ESCAPED);
        assertThat(LogLines.apache(EMPTY)).isEqualTo(APACHE_EMPTY);
    }

    @Test
    void csvRecords() {
        assertThat(LogLines.csv(PLAIN)).isEqualTo(CSV_PLAIN);
        assertThat(LogLines.csv(ESCAPED)).isEqualTo(CSV_QUOTED);
        assertThat(LogLines.csv(EMPTY)).isEqualTo(CSV_EMPTY);
        assertThat(LogLines.csvHeader()).isEqualTo(CSV_HEADER_LINE);
    }

    @Test
    void appendingToABufferWritesTheSameLines() {
        var out = new StringBuilder("earlier\n");
        LogLines.apache(ESCAPED, out);
        LogLines.csv(ESCAPED, out);
        LogLines.csv(PLAIN, out);
        assertThat(out.toString()).isEqualTo("earlier\n" + APACHE_ESCAPED + CSV_QUOTED + CSV_PLAIN);
    }

    @Test
    void csvRecordsAreExactlyWhatCommonsCsvPrintsForAnyValues() throws Exception {
        // Random values from pieces that do and do not need quoting, in every field, against the
        // library's own printing of the same record.
        var plain = new String[] {"", "a", "tool", "x".repeat(80), "-1", "0", "1.0", "/a/b", null};
        var quoted = new String[] {" lead", "trail ", "#hash", "a,b", "say \"hi\"", "line\nbreak", "ünï"};
        var format = org.apache.commons.csv.CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();
        var random = new java.util.Random(11);
        for (int i = 0; i < 5_000; i++) {
            var s = new String[17];
            for (int j = 0; j < s.length; j++) {
                // mostly plain, so that most records take the fast path and some the library's
                s[j] = random.nextInt(50) == 0 ? quoted[random.nextInt(quoted.length)]
                        : plain[random.nextInt(plain.length)];
            }
            long time = random.nextBoolean() ? 1_700_000_000_000L + random.nextInt() : random.nextLong() / 1_000;
            Double latitude = random.nextBoolean() ? null : random.nextDouble() * 180 - 90;
            Long asn = random.nextBoolean() ? null : (long) random.nextInt(400_000);
            var event = new DownloadEvent(time, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], 200 + i % 7,
                    random.nextLong(), s[8], s[9], s[10], s[11], s[12], s[13], s[14], latitude,
                    random.nextBoolean() ? null : 1e-7 * i, asn, s[15], s[16], "curl");
            var expected = new StringBuilder();
            format.printRecord(expected, LogLines.time(time, "Z"), event.ip(), event.user(), event.subject(),
                    event.repo(), event.pkg(), event.version(), event.path(), event.method(), event.status(),
                    event.bytesSent(), event.range(), event.userAgent(), event.referrer(), event.country(),
                    event.region(), event.city(), event.postalCode(), event.latitude(), event.longitude(),
                    event.organization(), event.asn(), event.os(), event.client());
            assertThat(LogLines.csv(event)).as("event %s", event).isEqualTo(expected.toString());
        }
    }
}
