package dev.bindery.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium for one test class: Debian's {@code chromium} driven through its
 * {@code chromedriver} (both installed by {@code .ci/run}; locally their absence skips the class,
 * under CI it fails it). Register it after the {@link BinderyServer} it browses:
 *
 * <pre>{@code
 * @RegisterExtension static final BinderyServer server = new BinderyServer();
 * @RegisterExtension static final Browser browser = new Browser(server::baseUrl);
 *
 * browser.open("/alice/generic");
 * assertThat(browser.text("h1")).contains("generic");
 * browser.screenshot("repository");
 * }</pre>
 *
 * Screenshots go to {@code <build dir>/screenshots} (the {@code bindery.screenshots} property the
 * pom sets), never into the source tree. Not thread-safe: one test class, one browser, one tab.
 */
public final class Browser implements BeforeAllCallback, AfterAllCallback {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private final Supplier<String> baseUrl;
    private ChromeDriver driver;

    /** @param baseUrl the server's address, asked when a page is opened (the port is known only then) */
    public Browser(Supplier<String> baseUrl) {
        this.baseUrl = baseUrl;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Tools.require("chromium");
        Tools.require("chromedriver");
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // Root in a container: no sandbox; /dev/shm may be tiny.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--lang=en-US");
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
    }

    /** The driver itself, for what the helpers below do not cover. */
    public ChromeDriver driver() {
        return driver;
    }

    /** Opens {@code path} (starting with /) on the server and waits for the page to load. */
    public Browser open(String path) {
        driver.get(baseUrl.get() + path);
        return this;
    }

    /**
     * Waits (up to 10 s) until the browser shows {@code pathAndQuery}, after a click or a form
     * submission that navigates; returns this browser, failing with the path it shows instead.
     */
    public Browser awaitPath(String pathAndQuery) {
        try {
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(ignored -> currentPath().equals(pathAndQuery));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("Expected the browser at " + pathAndQuery + ", but it is at " + currentPath());
        }
        return this;
    }

    /** The path and query of the current page. */
    public String currentPath() {
        return driver.getCurrentUrl().substring(baseUrl.get().length());
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The visible text of the first element matching {@code css}. */
    public String text(String css) {
        return find(css).getText();
    }

    /** The visible texts of all elements matching {@code css}, in document order. */
    public List<String> texts(String css) {
        return findAll(css).stream().map(WebElement::getText).toList();
    }

    /** The {@code href} attributes of the links matching {@code css}, as written in the page (not resolved). */
    public List<String> links(String css) {
        return findAll(css).stream().map(link -> link.getDomAttribute("href")).toList();
    }

    /** Resizes the window, e.g. to a phone's 390x844, for screenshots of the small layout. */
    public Browser resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        return this;
    }

    /** Saves a PNG of the current page as {@code <name>.png} in the screenshot directory; returns its path. */
    public Path screenshot(String name) {
        var dir = Path.of(System.getProperty("bindery.screenshots", "target/screenshots"));
        try {
            Files.createDirectories(dir);
            var file = dir.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
