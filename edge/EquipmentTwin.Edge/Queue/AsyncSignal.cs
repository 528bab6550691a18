namespace EquipmentTwin.Edge.Queue;

/// <summary>A pulse that any number of waiters can await; each <see cref="Pulse"/> releases those waiting at that moment.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WaitAsync(CancellationToken ct) => Volatile.Read(ref _tcs).Task.WaitAsync(ct);

    public void Pulse() => Interlocked.Exchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
