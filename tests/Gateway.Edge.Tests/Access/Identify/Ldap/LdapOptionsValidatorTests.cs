using Gateway.Edge.Access.Identify.Ldap;
using Gateway.Edge.Access.Admit;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Tests.Access.Identify.Ldap;

public sealed class LdapOptionsValidatorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ldap-options-").FullName;

    [Fact]
    public void Validate_NoServers_Succeeds()
    {
        Assert.True(Validate(new LdapOptions { BaseDn = null }).Succeeded);
    }

    [Fact]
    public void Validate_Complete_Succeeds()
    {
        var result = Validate(Valid());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("Servers:0", "http://x")]
    [InlineData("BaseDn", "")]
    [InlineData("UserFilter", "uid=${account}")]
    [InlineData("UserFilter", "(uid=alice)")]
    [InlineData("UserFilter", "(uid=${account}")]
    [InlineData("DnTemplate", "uid=alice,dc=x")]
    [InlineData("GroupFilter", "(member=x)")]
    [InlineData("GroupAttribute", "member Of")]
    [InlineData("CacheTtl", "-00:00:01")]
    [InlineData("OutageGrace", "8.00:00:00")]
    [InlineData("Timeout", "00:00:00")]
    [InlineData("FailuresToOpen", "0")]
    [InlineData("PoolSize", "65")]
    [InlineData("MaxConcurrentOperations", "0")]
    public void Validate_BadValue_FailureNamesTheKey(string key, string value)
    {
        var options = Valid();
        switch (key)
        {
            case "Servers:0": options.Servers = [value]; break;
            case "BaseDn": options.BaseDn = value; break;
            case "UserFilter": options.UserFilter = value; break;
            case "DnTemplate": options.DnTemplate = value; break;
            case "GroupFilter": options.GroupFilter = value; break;
            case "GroupAttribute": options.GroupAttribute = value; break;
            case "CacheTtl": options.CacheTtl = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "OutageGrace": options.OutageGrace = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Timeout": options.Timeout = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "FailuresToOpen": options.FailuresToOpen = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "PoolSize": options.PoolSize = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: options.MaxConcurrentOperations = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
        }

        var result = Validate(options);

        Assert.False(result.Succeeded);
        Assert.Contains($"Gateway:Ldap:{key}", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BindDnWithoutPasswordFile_NamesBindPasswordFile()
    {
        var options = Valid();
        options.BindPasswordFile = null;

        Assert.Contains("Gateway:Ldap:BindPasswordFile is required", Validate(options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyPasswordFile_Refused()
    {
        var options = Valid();
        File.WriteAllText(options.BindPasswordFile!, "\n");

        Assert.Contains("is empty", Validate(options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LdapsWithoutCaFile_NamesCaFile()
    {
        var options = Valid();
        options.Servers = ["ldaps://ldap.example.com"];
        options.CaFile = null;

        Assert.Contains("Gateway:Ldap:CaFile is required", Validate(options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CaFileWithoutCertificate_NamesCaFile()
    {
        var options = Valid();
        options.StartTls = true;
        options.CaFile = Path.Combine(_folder, "not-a-ca.pem");
        File.WriteAllText(options.CaFile, "hello\n");

        Assert.Contains("Gateway:Ldap:CaFile", Validate(options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ServersTimesTimeoutBeyondResponseTimeout_NamesBothKeys()
    {
        var options = Valid();
        options.Servers = ["ldap://a", "ldap://b", "ldap://c"];
        options.Timeout = TimeSpan.FromSeconds(4);

        var message = Validate(options).FailureMessage;

        Assert.Contains("Gateway:Ldap:Timeout", message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Cluster:ResponseTimeout", message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ValidateOptionsResult Validate(LdapOptions options) =>
        new LdapOptionsValidator(Options.Create(new GrainCallOptions())).Validate(null, options);

    private LdapOptions Valid()
    {
        var passwordFile = Path.Combine(_folder, "password");
        File.WriteAllText(passwordFile, "secret\n");
        return new LdapOptions
        {
            Servers = ["ldap://ldap.example.com"],
            BaseDn = "dc=example,dc=com",
            BindDn = "cn=gw,dc=example,dc=com",
            BindPasswordFile = passwordFile,
            GroupAttribute = "memberOf",
        };
    }
}
