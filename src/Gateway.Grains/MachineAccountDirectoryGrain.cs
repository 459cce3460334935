using Gateway.Contracts;

namespace Gateway.Grains;

/// <summary>The names of the machine accounts (grain storage <see cref="GrainStorage.Name"/>), written when one is added.</summary>
public sealed class MachineAccountDirectoryGrain(
    [PersistentState("machine-directory", GrainStorage.Name)] IPersistentState<MachineAccountDirectoryState> state) : Grain, IMachineAccountDirectoryGrain
{
    /// <summary>The most names kept: a bound on the state's size.</summary>
    internal const int MaxNames = 10_000;

    /// <inheritdoc />
    public async Task<bool> AddAsync(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (state.State.Names.Contains(name))
        {
            return true;
        }

        if (state.State.Names.Count >= MaxNames)
        {
            return false;
        }

        state.State.Names.Add(name);
        await state.WriteStateAsync();
        return true;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Names]);
}
