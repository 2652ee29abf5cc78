using System.Text.Json;
using System.Text.Json.Nodes;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// Debian's chromium, headless, driven over W3C WebDriver (chromedriver's plain HTTP JSON protocol) from inside a
/// lab node's namespace, so the page sees the node's 127.0.0.1. One page stays open for the whole test: what it shows
/// later came from its own script, not from a reload.
/// </summary>
internal sealed class HeadlessBrowser : IDisposable
{
    private const int DriverPort = 9515;
    private readonly HttpClient _http;
    private readonly string _session;

    private HeadlessBrowser(HttpClient http, string session)
    {
        _http = http;
        _session = session;
    }

    public static HeadlessBrowser Start(NetnsLab lab, LabNode node, TimeSpan timeout)
    {
        var driver = lab.Start(node, $"chromedriver@{node.Name}", "chromedriver", $"--port={DriverPort}");
        Assert.True(driver.WaitForOutput("was started successfully", timeout), driver.Describe());
        var http = NetnsHttp.Create(node, timeout);
        try
        {
            var profile = Path.Combine(lab.Directory, $"chromium-{node.Name}");
            var capabilities = new JsonObject
            {
                ["capabilities"] = new JsonObject
                {
                    ["alwaysMatch"] = new JsonObject
                    {
                        ["browserName"] = "chrome",
                        ["goog:chromeOptions"] = new JsonObject
                        {
                            // Root in CI: no sandbox; no GPU, no /dev/shm use in a container.
                            ["args"] = new JsonArray("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", $"--user-data-dir={profile}"),
                        },
                    },
                },
            };
            var created = Send(http, HttpMethod.Post, "/session", capabilities);
            return new HeadlessBrowser(http, created?["sessionId"]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"chromedriver created no session: {created?.ToJsonString()}"));
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    public void Navigate(string url) => Send(_http, HttpMethod.Post, $"/session/{_session}/url", new JsonObject { ["url"] = url });

    /// <summary>Runs <paramref name="script"/> (a function body) in the page and returns what it returned.</summary>
    public JsonNode? Execute(string script) =>
        Send(_http, HttpMethod.Post, $"/session/{_session}/execute/sync", new JsonObject { ["script"] = script, ["args"] = new JsonArray() });

    /// <summary>Polls <paramref name="script"/> until <paramref name="condition"/> holds on its result; fails with the last result.</summary>
    public JsonNode? WaitFor(string script, Func<JsonNode?, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = Execute(script);
            if (condition(result))
            {
                return result;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"the page did not show {what} within {timeout.TotalSeconds} s; last:\n{result?.ToJsonString()}");
            }

            Thread.Sleep(200);
        }
    }

    private static JsonNode? Send(HttpClient http, HttpMethod method, string path, JsonObject? body)
    {
        using var request = new HttpRequestMessage(method, new Uri($"http://127.0.0.1:{DriverPort}{path}"));
        if (body is not null)
        {
            // With a length: chromedriver does not read chunked bodies (JsonContent's).
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        using var response = http.SendAsync(request).GetAwaiter().GetResult();
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            throw new Xunit.Sdk.XunitException($"WebDriver {method} {path}: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!["value"];
    }

    public void Dispose()
    {
        try
        {
            Send(_http, HttpMethod.Delete, $"/session/{_session}", null);
        }
        catch (Exception ex) when (ex is HttpRequestException or Xunit.Sdk.XunitException or TaskCanceledException or JsonException)
        {
            // The lab kills chromedriver and chromium with the namespace anyway.
        }

        _http.Dispose();
    }
}
