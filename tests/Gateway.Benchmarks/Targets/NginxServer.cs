using System.Globalization;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Targets;

/// <summary>One <c>server</c> block of an <see cref="NginxServer"/>.</summary>
/// <param name="HtpasswdFile">With a file: <c>auth_basic</c> against it (the recipe); without: TLS only.</param>
/// <param name="RateLimit">With a limit: <c>limit_req</c> keyed by user, a zone of its own (one "node").</param>
public sealed record NginxSite(string? HtpasswdFile = null, int? RateLimit = null)
{
    /// <summary>Filled in at start: the port of this block on 127.0.0.1.</summary>
    public int Port { get; init; }
}

/// <summary>
/// Debian's nginx running the registry's nginx recipe (docs/content/recipes/nginx.md) as <c>up.sh</c> in
/// shared/reference/real-clients.md runs it: TLS, <c>auth_basic</c> with a bcrypt file, the recipe's user-agent rule,
/// header map and forwarding headers, <c>client_max_body_size 0</c>, <c>proxy_read_timeout 900</c>, and streaming
/// (<c>proxy_request_buffering off; proxy_buffering off; proxy_http_version 1.1</c>). Two changes in nginx's favour:
/// <c>worker_processes auto</c> (the recipe leaves the default, 1) and a keep-alive pool to the registry (the
/// recipe's upstream has none, so every request would open a new connection). Runs as <c>user nobody nogroup</c>
/// (we are root); the htpasswd files must be world-readable. Disposing it stops it.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    private NginxServer(string directory, IReadOnlyList<NginxSite> sites, ManagedProcess process)
    {
        Directory = directory;
        Sites = sites;
        Process = process;
    }

    public string Directory { get; }

    public IReadOnlyList<NginxSite> Sites { get; }

    /// <summary>The master process; its workers are in its process group.</summary>
    public ManagedProcess Process { get; }

    /// <summary>https://127.0.0.1:port/ of the first (or only) site.</summary>
    public Uri BaseUri => UriOf(Sites[0]);

    public static Uri UriOf(NginxSite site) => new(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{site.Port}/"));

    public static async Task<NginxServer> StartAsync(
        TempDirectory temp, string name, TestPki pki, Uri registry, IEnumerable<NginxSite> sites, bool accessLog)
    {
        var resolved = sites.Select(s => s with { Port = FreePort.Next() }).ToList();
        var dir = temp.CreateSubdirectory($"nginx-{name}");
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "logs"));
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        foreach (var file in resolved.Select(s => s.HtpasswdFile).OfType<string>())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        var config = Path.Combine(dir, "nginx.conf");
        await File.WriteAllTextAsync(config, BuildConfig(dir, pki, registry, resolved, accessLog)).ConfigureAwait(false);
        var errorLog = Path.Combine(dir, "logs", "error.log");
        var process = ManagedProcess.Start("nginx", ["-e", errorLog, "-p", dir + "/", "-c", config], workingDirectory: dir, name: $"nginx-{name}");
        var server = new NginxServer(dir, resolved, process);
        try
        {
            using var http = TestHttp.CreateClient(timeout: TimeSpan.FromSeconds(5));
            foreach (var site in resolved)
            {
                var probe = new Uri(UriOf(site), "/v2/");
                await Poll.UntilAsync(
                    async ct =>
                    {
                        using var response = await http.GetAsync(probe, ct).ConfigureAwait(false);
                        return true; // any answer: it serves
                    },
                    TimeSpan.FromSeconds(20),
                    $"nginx at {probe} (error log: {errorLog})",
                    process).ConfigureAwait(false);
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private static string BuildConfig(string dir, TestPki pki, Uri registry, IReadOnlyList<NginxSite> sites, bool accessLog)
    {
        var c = CultureInfo.InvariantCulture;
        var conf = new StringBuilder();
        conf.AppendLine("user nobody nogroup;                 # workers read htpasswd on every request: world-readable");
        conf.AppendLine("worker_processes auto;               # one per core (the recipe: the default, 1)");
        conf.AppendLine("daemon off;                          # the recorded PID is the master");
        conf.AppendLine(c, $"pid {dir}/nginx.pid;");
        conf.AppendLine(c, $"error_log {dir}/logs/error.log warn;");
        conf.AppendLine("events { worker_connections 1024; }");
        conf.AppendLine("http {");
        conf.AppendLine(accessLog ? $"  access_log {dir}/logs/access.log;" : "  access_log off;");
        foreach (var temp in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            conf.AppendLine(c, $"  {temp}_temp_path {dir}/tmp/{temp};");
        }

        conf.AppendLine("  map $upstream_http_docker_distribution_api_version $docker_distribution_api_version { '' 'registry/2.0'; }");
        conf.AppendLine(c, $"  upstream docker-registry {{ server {registry.Authority}; keepalive 64; }}");
        for (var i = 0; i < sites.Count; i++)
        {
            if (sites[i].RateLimit is { } limit)
            {
                // limit_req can only express r/s or r/m: "limit per hour" is a burst of the limit, then limit/60 per minute.
                var perMinute = Math.Max(1, (int)Math.Round(limit / 60.0));
                conf.AppendLine(c, $"  limit_req_zone $remote_user zone=node{i}:1m rate={perMinute}r/m;");
            }
        }

        for (var i = 0; i < sites.Count; i++)
        {
            var site = sites[i];
            conf.AppendLine("  server {");
            conf.AppendLine(c, $"    listen 127.0.0.1:{site.Port} ssl;");
            conf.AppendLine(c, $"    ssl_certificate     {pki.ServerCertificatePath};");
            conf.AppendLine(c, $"    ssl_certificate_key {pki.ServerKeyPath};");
            conf.AppendLine("    ssl_session_cache shared:SSL:10m;");
            conf.AppendLine("    client_max_body_size 0;");
            conf.AppendLine("    chunked_transfer_encoding on;");
            conf.AppendLine("    location /v2/ {");
            conf.AppendLine("      if ($http_user_agent ~ \"^(docker\\/1\\.(3|4|5(?!\\.[0-9]-dev))|Go ).*$\" ) { return 404; }");
            if (site.RateLimit is { } limit)
            {
                conf.AppendLine(c, $"      limit_req zone=node{i} burst={Math.Max(0, limit - 1)} nodelay;");
                conf.AppendLine("      limit_req_status 429;");
            }

            if (site.HtpasswdFile is { } file)
            {
                conf.AppendLine("      auth_basic \"Registry realm\";");
                conf.AppendLine(c, $"      auth_basic_user_file {file};");
            }

            conf.AppendLine("      add_header 'Docker-Distribution-Api-Version' $docker_distribution_api_version always;");
            conf.AppendLine("      proxy_pass                          http://docker-registry;");
            conf.AppendLine("      proxy_set_header  Host              $http_host;");
            conf.AppendLine("      proxy_set_header  X-Real-IP         $remote_addr;");
            conf.AppendLine("      proxy_set_header  X-Forwarded-For   $proxy_add_x_forwarded_for;");
            conf.AppendLine("      proxy_set_header  X-Forwarded-Proto $scheme;");
            conf.AppendLine("      proxy_set_header  Connection        \"\";   # keep-alive to the registry");
            conf.AppendLine("      proxy_http_version 1.1;");
            conf.AppendLine("      proxy_request_buffering off;");
            conf.AppendLine("      proxy_buffering off;");
            conf.AppendLine("      proxy_read_timeout 900;");
            conf.AppendLine("    }");
            conf.AppendLine("  }");
        }

        conf.AppendLine("}");
        return conf.ToString();
    }
}
