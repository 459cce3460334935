using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Observability;

/// <summary>
/// A user name cannot forge log content: a name made to look like more fields stays one quoted field, and names with
/// control, separator or bidirectional characters are refused as invalid credentials and never written raw; with the
/// simple console formatter and with the JSON one.
/// </summary>
public sealed class LogForgingTests(ITestOutputHelper output)
{
    private const string Forging = "bob client=6.6.6.6 GET repository=bob/private actions=pull allowed";

    private static readonly string[] Controls = ["a\u0001b", "a\u001b[31mb", "a\u007fb", "a\u0085b", "a\u009bb", "a\u2028b", "a\u2029b", "a\u202eb", "a\nclient=6.6.6.6"];

    public static TheoryData<string> Formatters => new() { "simple", "json" };

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task Login_ForgingOrControlCharacterNames_OneFieldEachAndNoRawControlInTheLog(string formatter)
    {
        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "alice-password"));
        await using var registry = await RegistryServer.StartAsync(temp);
        var options = new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            Environment = formatter == "json" ? new Dictionary<string, string?> { ["Logging__Console__FormatterName"] = "json" } : new Dictionary<string, string?>(),
        };
        await using var node = await GatewayNode.StartAsync(options);
        using var http = node.CreateClient();

        foreach (var user in Controls.Prepend(Forging).Append("al\"ice\\"))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":x"))) } };
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        await node.WaitForLogAsync(l => l.Contains("ice", StringComparison.Ordinal) && l.Contains("invalid_credentials", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var log = node.Process.StandardOutput;
        output.WriteLine(log);

        // No raw control, separator or bidirectional character anywhere, whatever the formatter.
        foreach (var c in log)
        {
            Assert.False(c != '\n' && (char.IsControl(c) || c is '\u2028' or '\u2029' or '\u202e'), $"raw U+{(int)c:X4} in the log");
        }

        var audit = log.Split('\n').Where(l => l.Contains("Gateway.Audit", StringComparison.Ordinal)).ToList();
        Assert.Equal(Controls.Length + 2, audit.Count);
        foreach (var line in audit)
        {
            var fields = formatter == "json" ? JsonFields(line) : SimpleFields(line);
            Assert.Equal("127.0.0.1", fields["client"]);
            Assert.Equal("GET", fields["method"]);
        }

        var forged = audit.Single(l => l.Contains("6.6.6.6 GET", StringComparison.Ordinal));
        var forgedFields = formatter == "json" ? JsonFields(forged) : SimpleFields(forged);
        Assert.Equal("\"" + Forging + "\"", forgedFields["user"]);
        Assert.Equal("invalid_credentials", forgedFields["outcome"]);

        // Names with controls never got as far as a password check: refused as malformed credentials.
        Assert.Equal(Controls.Length, audit.Count(l => l.Contains("malformed_credentials", StringComparison.Ordinal)));
    }

    /// <summary>The fields of a simple-formatter audit line: <c>access OUTCOME: key=value …</c>, values quoted when they hold spaces.</summary>
    private static Dictionary<string, string> SimpleFields(string line)
    {
        var message = line[(line.IndexOf("access ", StringComparison.Ordinal) + 7)..];
        var fields = new Dictionary<string, string> { ["outcome"] = message[..message.IndexOf(':', StringComparison.Ordinal)] };
        var rest = message[(message.IndexOf(':', StringComparison.Ordinal) + 2)..];
        var tokens = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < rest.Length; i++)
        {
            var c = rest[i];
            if (quoted && c == '\\' && i + 1 < rest.Length)
            {
                current.Append(c).Append(rest[++i]);
                continue;
            }

            if (c == '"')
            {
                quoted = !quoted;
            }

            if (c == ' ' && !quoted)
            {
                tokens.Add(current.ToString());
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        tokens.Add(current.ToString());
        fields["method"] = tokens[2];
        foreach (var token in tokens.Where(t => t.Contains('=', StringComparison.Ordinal)))
        {
            var key = token[..token.IndexOf('=', StringComparison.Ordinal)];
            Assert.True(fields.TryAdd(key, token[(key.Length + 1)..]), $"field '{key}' twice in: {line}");
        }

        return fields;
    }

    private static Dictionary<string, string> JsonFields(string line)
    {
        using var json = JsonDocument.Parse(line);
        var state = json.RootElement.GetProperty("State");
        return new Dictionary<string, string>
        {
            ["outcome"] = state.GetProperty("Outcome").GetString()!,
            ["user"] = state.GetProperty("User").GetString()!,
            ["client"] = state.GetProperty("Client").GetString()!,
            ["method"] = state.GetProperty("Method").GetString()!,
        };
    }
}
