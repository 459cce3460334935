namespace Gateway.Contracts;

/// <summary>
/// The names of the cluster's machine accounts, for operators' listing (one grain, key <see cref="Key"/>). Only names:
/// each account's grain holds its state. Not on any request path.
/// </summary>
public interface IMachineAccountDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>The one directory's key.</summary>
    const long Key = 0;

    /// <summary>Adds a name (idempotent); false when the directory is full.</summary>
    Task<bool> AddAsync(string name);

    /// <summary>Every name, sorted.</summary>
    Task<IReadOnlyList<string>> ListAsync();
}
