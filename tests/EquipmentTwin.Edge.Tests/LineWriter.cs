namespace EquipmentTwin.Edge.Tests;

/// <summary>Appends vendor lines to a file in small bursts on a background task, as a device does, until told to stop or a total is reached.</summary>
public sealed class LineWriter : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;
    private int _written;
    private TaskCompletionSource _resume = NewGate(open: true);

    private static TaskCompletionSource NewGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            gate.SetResult();
        }

        return gate;
    }

    /// <summary>Stops writing after the current burst (returns the lines written so far); <see cref="Resume"/> goes on.</summary>
    public async Task<int> PauseAsync()
    {
        _resume = NewGate(open: false);
        await Task.Delay(pauseMsForPause);
        return Written;
    }

    public void Resume() => _resume.TrySetResult();

    private readonly int pauseMsForPause;

    public LineWriter(string path, int total, int burst = 20, int pauseMs = 15)
    {
        pauseMsForPause = pauseMs * 3;
        _task = Task.Run(async () =>
        {
            while (_written < total && !_stop.IsCancellationRequested)
            {
                await _resume.Task;
                var to = Math.Min(total, _written + burst);
                VendorLines.Append(path, _written, to);
                Volatile.Write(ref _written, to);
                try
                {
                    await Task.Delay(pauseMs, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public int Written => Volatile.Read(ref _written);

    public Task Completion => _task;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _task;
        _stop.Dispose();
    }
}
