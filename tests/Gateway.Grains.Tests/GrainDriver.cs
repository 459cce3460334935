using System.Security.Cryptography;
using Gateway.Contracts;

namespace Gateway.Grains.Tests;

/// <summary>Drives a user grain as an edge does: check, then (when asked) bcrypt on the edge and a report.</summary>
public static class GrainDriver
{
    private static int _addresses;

    public static byte[] NewFingerprint() => RandomNumberGenerator.GetBytes(32);

    /// <summary>A client address no other call returned (198.18.0.0/15, the benchmarking range).</summary>
    public static string NewAddress()
    {
        var n = Interlocked.Increment(ref _addresses);
        return $"198.{18 + ((n >> 16) & 1)}.{(n >> 8) & 255}.{n & 255}";
    }

    public static Task<CredentialDecision> Check(IUserGrain user, byte[] fingerprint, string address, RequestKind kind = RequestKind.Other) =>
        user.CheckAsync(new CredentialCheck { Fingerprint = fingerprint, ClientAddress = address, Kind = kind });

    public static Task<CredentialDecision> Report(IUserGrain user, Guid ticket, byte[] fingerprint, string address, bool succeeded, TimeSpan cacheFor) =>
        user.ReportAsync(new VerificationReport { Ticket = ticket, Fingerprint = fingerprint, Result = succeeded ? VerificationResult.Succeeded : VerificationResult.Failed, CacheFor = cacheFor, ClientAddress = address });

    /// <summary>A successful login: the check asks for a verification, bcrypt accepts, the report allows.</summary>
    public static async Task Authenticate(IUserGrain user, byte[] fingerprint, string address)
    {
        var check = await Check(user, fingerprint, address);
        Assert.Equal(CredentialOutcome.VerifyRequired, check.Outcome);
        Assert.Equal(CredentialOutcome.Allowed, (await Report(user, check.Ticket, fingerprint, address, succeeded: true, TimeSpan.FromMinutes(10))).Outcome);
    }

    /// <summary>A failed login with a wrong password (or an unknown user's dummy hash): check, bcrypt refuses, report.</summary>
    public static async Task<CredentialDecision> Fail(IUserGrain user, string address, byte[]? fingerprint = null)
    {
        fingerprint ??= NewFingerprint();
        var check = await Check(user, fingerprint, address);
        if (check.Outcome != CredentialOutcome.VerifyRequired)
        {
            return check;
        }

        return await Report(user, check.Ticket, fingerprint, address, succeeded: false, TimeSpan.FromMinutes(10));
    }
}
