using Gateway.Deploy.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Gateway.Deploy.Tests;

/// <summary>
/// docker-compose.ldap.yml: the optional directory, used as a second file next to docker-compose.cluster.yml
/// (<c>-f docker-compose.cluster.yml -f docker-compose.ldap.yml</c>).
/// </summary>
public sealed class ComposeLdapFileTests
{
    private const string ClusterFile = "docker-compose.cluster.yml";
    private const string LdapFile = "docker-compose.ldap.yml";

    private static readonly YamlMappingNode Compose = Yaml.LoadMapping(Repository.Read(LdapFile));

    private static YamlNode Ldap => Compose.Map("services").Get("ldap") ?? throw new Xunit.Sdk.XunitException("no service 'ldap'");

    private static YamlNode Edge => Compose.Map("services").Get("edge") ?? throw new Xunit.Sdk.XunitException("no service 'edge'");

    [RequiresToolFact("docker-compose", "docker-compose")]
    public async Task DockerCompose129Config_WithTheClusterFile_AddsTheDirectoryToTheEdges_KeepingWhatTheyHad()
    {
        var folder = Directory.CreateTempSubdirectory("gw-compose-ldap-").FullName;
        try
        {
            foreach (var file in new[] { ClusterFile, LdapFile, "observability/jaeger/jaeger.env" })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, file))!);
                File.Copy(Repository.PathOf(file), Path.Combine(folder, file));
            }

            var (exitCode, output) = await Tool.RunAsync("docker-compose", ["-f", ClusterFile, "-f", LdapFile, "config"], folder);
            Assert.True(exitCode == 0, output);
            Assert.DoesNotContain("WARNING", output, StringComparison.Ordinal);

            var edge = Yaml.LoadMapping(output).Map("services").Map("edge");
            Assert.Equal(["cluster_secret", "htpasswd", "ldap_bind_password"], edge.Items("secrets").Select(s => s.Text() ?? s.Text("source")!).Order(StringComparer.Ordinal));
            Assert.Equal(["cluster", "edges", "ldap", "registry", "telemetry"], edge.Map("networks").Keys().Order(StringComparer.Ordinal));
            Assert.Superset(new HashSet<string> { "ldap", "silo-1", "silo-2", "registry-1", "registry-2" }, edge.Map("depends_on").Keys().ToHashSet());
            var environment = edge.Environment();
            Assert.Equal("/run/secrets/htpasswd", environment["Gateway__Auth__HtpasswdFile"]);
            Assert.Equal(["machine-accounts", "ldap", "htpasswd"], [environment["Gateway__Auth__Providers__0"], environment["Gateway__Auth__Providers__1"], environment["Gateway__Auth__Providers__2"]]);
            // What the container gets: ${account} and ${dn} as literal text, which the gateway substitutes (escaped) per request.
            Assert.Equal("(&(objectClass=inetOrgPerson)(uid=${account}))", environment["Gateway__Ldap__UserFilter"]);
            Assert.Equal("(&(objectClass=groupOfNames)(member=${dn}))", environment["Gateway__Ldap__GroupFilter"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Directory_IsNotPublished_AndOnlyOnItsOwnInternalNetwork_WhichOnlyTheEdgesJoin()
    {
        Assert.Null(Ldap.Get("ports"));
        Assert.Equal(["ldap"], Ldap.Items("networks").Select(n => n.Text()!));
        Assert.Equal("true", Compose.Map("networks").Map("ldap").Text("internal"));
        Assert.Equal(["edge", "ldap"], Compose.Map("services").Keys().Order(StringComparer.Ordinal));
        Assert.Contains("ldap", Edge.Items("networks").Select(n => n.Text()));
    }

    [Fact]
    public void Passwords_ComeFromSecretFiles_NeverFromTheEnvironment_AndTheImageNeverLogsThem()
    {
        foreach (var (key, secret) in Compose.Map("secrets").Children)
        {
            Assert.StartsWith("./deploy/secrets/", secret.Text("file"), StringComparison.Ordinal);
        }

        var environment = Ldap.Environment();
        Assert.DoesNotContain(environment.Keys, k => k.EndsWith("PASSWORD", StringComparison.Ordinal));
        Assert.Equal("/run/secrets/ldap_bind_password", environment["LDAP_READONLY_USER_PASSWORD_FILE"]);
        Assert.Equal("/run/secrets/ldap_bind_password", Edge.Environment()["Gateway__Ldap__BindPasswordFile"]);
        Assert.Equal("cn=registry-gateway,dc=example,dc=test", Edge.Environment()["Gateway__Ldap__BindDn"]);
        // At debug the image's start script prints the content of every *_FILE it reads.
        var command = Ldap.Items("command").Select(c => c.Text()).ToList();
        Assert.Equal("info", command[command.IndexOf("--loglevel") + 1]);
    }

    [Fact]
    public void DemoEntries_AreACommittedLdifWithoutPasswords_TheImageLoadsWithLdapadd()
    {
        var mounts = Ldap.Items("volumes").Select(v => v.Text()!).ToList();
        var demo = mounts.Single(m => m.StartsWith("./deploy/ldap/demo.ldif:", StringComparison.Ordinal));
        Assert.EndsWith("/bootstrap/ldif/custom/10-demo.ldif:ro", demo, StringComparison.Ordinal);
        Assert.Contains(mounts, m => m.StartsWith("./deploy/secrets/ldap-passwords.ldif:", StringComparison.Ordinal) && m.EndsWith("/20-passwords.ldif:ro", StringComparison.Ordinal));

        var ldif = Repository.Read("deploy/ldap/demo.ldif");
        Assert.DoesNotMatch("(?im)^userPassword:", ldif);
        // The image runs ldapmodify (not ldapadd) on a file that mentions "changetype" anywhere, comments included.
        Assert.DoesNotContain("changetype", ldif, StringComparison.OrdinalIgnoreCase);
        foreach (var entry in new[] { "uid=alice,ou=people,dc=example,dc=test", "uid=bob,ou=people,dc=example,dc=test", "cn=ci,ou=groups,dc=example,dc=test", "cn=web,ou=groups,dc=example,dc=test" })
        {
            Assert.Contains($"dn: {entry}\n", ldif, StringComparison.Ordinal);
        }
    }
}
