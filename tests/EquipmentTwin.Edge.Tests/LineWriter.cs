namespace EquipmentTwin.Edge.Tests;

/// <summary>Appends vendor lines to a file in small bursts on a background task, as a device does, until told to stop or a total is reached.</summary>
public sealed class LineWriter : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;
    private int _written;

    public LineWriter(string path, int total, int burst = 20, int pauseMs = 15)
    {
        _task = Task.Run(async () =>
        {
            while (_written < total && !_stop.IsCancellationRequested)
            {
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
