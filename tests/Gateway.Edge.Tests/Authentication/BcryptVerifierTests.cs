using System.Diagnostics.Metrics;
using Gateway.Edge.Access;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Tests.Authentication;

public sealed class BcryptVerifierTests : IDisposable
{
    // htpasswd -nbB -C 12 u 'correct horse battery': about 0.2 s of CPU per check.
    private const string Cost12Hash = "$2y$12$sdYAsnQg3gzvz2oCZ6DcQOTMJew0CSGfs15KYsa2Eo81Qvl3.bNgW";

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly BcryptVerifier _verifier;

    public BcryptVerifierTests() =>
        _verifier = new BcryptVerifier(
            Options.Create(new AuthOptions()),
            new EdgeMetrics(_services.GetRequiredService<IMeterFactory>()),
            new FailurePadding(TimeProvider.System));

    [Fact]
    public async Task VerifyAsync_FreeSlot_GivesTheCallersThreadBackBeforeBcryptRuns()
    {
        // With Gateway:Transfer:InlineScheduling the caller may be the thread that reads every other connection of
        // the node: bcrypt's 0.2 s must run elsewhere, not before VerifyAsync returns.
        var pending = _verifier.VerifyAsync(Secret.FromString("correct horse battery"), Cost12Hash, CancellationToken.None);
        Assert.False(pending.IsCompleted);

        var (matched, spent) = await pending;
        Assert.True(matched);
        Assert.True(spent > TimeSpan.FromMilliseconds(20), $"bcrypt at cost 12 took {spent.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task VerifyAsync_WrongPassword_NotMatched()
    {
        var (matched, _) = await _verifier.VerifyAsync(Secret.FromString("wrong"), Cost12Hash, CancellationToken.None);

        Assert.False(matched);
    }

    public void Dispose()
    {
        _verifier.Dispose();
        _services.Dispose();
    }
}
