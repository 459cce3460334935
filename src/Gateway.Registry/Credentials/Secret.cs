namespace Gateway.Registry.Credentials;

/// <summary>
/// A password held only as long as a request needs it. It never prints: <see cref="ToString"/>
/// is <c>***</c>, so a secret that reaches a log, a trace or an exception message shows nothing.
/// Only this library's verification and fingerprint code reads the value.
/// </summary>
public sealed class Secret
{
    internal Secret(byte[] utf8) => Utf8 = utf8;

    /// <summary>The UTF-8 bytes of the password.</summary>
    internal byte[] Utf8 { get; }

    /// <summary>
    /// SHA-256 of the secret: what a machine account's grain stores and compares. Only for secrets of 256 random bits
    /// (machine accounts'); a password needs bcrypt.
    /// </summary>
    public byte[] ToSha256() => System.Security.Cryptography.SHA256.HashData(Utf8);

    /// <summary>
    /// The secret as text, for a verifier outside this library that must read it (a federated token's validation).
    /// Never log, store or put it in a message.
    /// </summary>
    public string Reveal() => System.Text.Encoding.UTF8.GetString(Utf8);

    /// <summary>Always <c>***</c>.</summary>
    public override string ToString() => "***";

    /// <summary>Creates a secret from a string (tests, token requests with a form password).</summary>
    public static Secret FromString(string value) => new(System.Text.Encoding.UTF8.GetBytes(value));
}
