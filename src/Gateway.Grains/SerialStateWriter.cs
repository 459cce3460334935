namespace Gateway.Grains;

/// <summary>
/// Writes a reentrant grain's persistent state one write at a time: interleaved turns may ask for writes while one is
/// in flight, and grain storage refuses concurrent writes of one state (ETag conflicts).
/// </summary>
internal sealed class SerialStateWriter<TState>(IPersistentState<TState> state)
{
    private readonly SemaphoreSlim _writes = new(1, 1);

    /// <summary>Deletes the stored record (the state in memory is reset) when the previous write has finished.</summary>
    public async Task ClearAsync()
    {
        await _writes.WaitAsync();
        try
        {
            await state.ClearStateAsync();
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Writes the state as it is when the previous write has finished.</summary>
    public async Task WriteAsync()
    {
        await _writes.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _writes.Release();
        }
    }
}
