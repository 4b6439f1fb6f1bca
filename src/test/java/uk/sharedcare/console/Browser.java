package uk.sharedcare.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real browser: Debian's headless Chromium, driven through Debian's chromium-driver by Selenium (no driver or
 * browser downloaded). Each step can leave a screenshot under {@code target/console-screenshots}.
 */
final class Browser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final WebDriver driver;
    private final WebDriverWait wait;

    Browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1100", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        this.wait = new WebDriverWait(driver, Duration.ofSeconds(60));
    }

    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    void open(String url) {
        driver.get(url);
    }

    /**
     * Keycloak's own sign-in page, as a person fills it in, then waits until the browser has been sent back to
     * {@code returnTo} and that page has loaded: a page opened while the redirects are still under way would be
     * replaced by the page they end on.
     */
    void signInOnKeycloak(String username, String password, String returnTo) {
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(username);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("kc-login")).click();
        wait.until(browser -> browser.getCurrentUrl().startsWith(returnTo)
                && !browser.getCurrentUrl().contains("/login/oauth2/code/") && loaded());
    }

    private boolean loaded() {
        return "complete".equals(((JavascriptExecutor) driver).executeScript("return document.readyState;"));
    }

    WebElement waitFor(By what) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(what));
    }

    void waitForText(By where, String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(where, text));
    }

    WebElement find(By what) {
        return driver.findElement(what);
    }

    /** Clicks what is found once it can be clicked: visible, enabled and laid out where the click lands. */
    void click(By what) {
        wait.until(ExpectedConditions.elementToBeClickable(what)).click();
    }

    String pageText() {
        return driver.findElement(By.tagName("body")).getText();
    }

    String title() {
        return driver.getTitle();
    }

    String currentUrl() {
        return driver.getCurrentUrl();
    }

    /**
     * The window as a phone's: 390 by 844 CSS pixels. Headless Chromium may lay the page out again after the call
     * returns, so this waits until the page is as wide as a phone: a click computed on the old layout would miss.
     */
    void asPhone() {
        driver.manage().window().setSize(new Dimension(390, 844));
        wait.until(browser -> ((Number) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.clientWidth;")).intValue() <= 390);
    }

    /** Whether the page fits the window's width, with nothing to scroll sideways but its own wide tables. */
    boolean fitsWidth() {
        Object overflow = ((JavascriptExecutor) driver).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        return ((Number) overflow).intValue() <= 0;
    }

    /** The ids of the visible form fields that no label names. */
    List<String> unlabelledFields() {
        return driver.findElements(By.cssSelector("input:not([type=hidden]), select, textarea")).stream()
                .filter(field -> driver.findElements(By.cssSelector("label[for='" + field.getAttribute("id") + "']"))
                        .isEmpty())
                .map(field -> String.valueOf(field.getAttribute("name")))
                .toList();
    }

    /** The console's session cookie as the browser holds it. */
    Cookie cookie(String name) {
        return driver.manage().getCookieNamed(name);
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
