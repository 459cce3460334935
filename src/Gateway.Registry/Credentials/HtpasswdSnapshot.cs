using System.Collections.Frozen;

namespace Gateway.Registry.Credentials;

/// <summary>An immutable view of one version of the htpasswd file.</summary>
public sealed class HtpasswdSnapshot
{
    internal HtpasswdSnapshot(FrozenDictionary<string, HtpasswdEntry> entries, string dummyHash)
    {
        Entries = entries;
        DummyHash = dummyHash;
    }

    /// <summary>The entries by user name (ordinal, case-sensitive, as htpasswd).</summary>
    public FrozenDictionary<string, HtpasswdEntry> Entries { get; }

    /// <summary>
    /// A bcrypt hash of a random password at the file's highest cost: an unknown user is checked
    /// against it, so that case costs what a wrong password costs and cannot be told apart.
    /// </summary>
    public string DummyHash { get; }

    /// <summary>The entry for a user, or null.</summary>
    public HtpasswdEntry? Find(string userName) => Entries.GetValueOrDefault(userName);
}
