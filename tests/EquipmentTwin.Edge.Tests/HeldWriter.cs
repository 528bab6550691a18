namespace EquipmentTwin.Edge.Tests;

/// <summary>
/// A device's logger: keeps its log file open and appends vendor lines in bursts, so after a rename it goes on writing
/// into the renamed file until told to reopen the path (as a program does on SIGHUP, a moment after logrotate's rename).
/// </summary>
public sealed class HeldWriter : IAsyncDisposable
{
    private readonly string _path;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;
    private readonly object _gate = new();
    private TaskCompletionSource? _reopen;
    private FileStream _file;
    private int _written;

    public HeldWriter(string path, int total, int burst, int pauseMs)
    {
        _path = path;
        _file = Open(path);
        _task = Task.Run(async () =>
        {
            while (_written < total && !_stop.IsCancellationRequested)
            {
                lock (_gate)
                {
                    if (_reopen is { } r)
                    {
                        _file.Dispose();
                        _file = Open(_path);
                        _reopen = null;
                        r.SetResult();
                    }

                    var to = Math.Min(total, _written + burst);
                    _file.Write(VendorLines.Bytes(_written, to));
                    _file.Flush();
                    Volatile.Write(ref _written, to);
                }

                try
                {
                    await Task.Delay(pauseMs, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            lock (_gate)
            {
                _reopen?.TrySetResult();
            }
        });
    }

    public int Written => Volatile.Read(ref _written);

    public Task Completion => _task;

    /// <summary>Closes the file it has open and opens the path again (after a rotation: the new file); returns once done.</summary>
    public Task ReopenAsync()
    {
        lock (_gate)
        {
            _reopen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_task.IsCompleted)
            {
                _reopen.SetResult();
            }

            return _reopen.Task;
        }
    }

    private static FileStream Open(string path) => new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _task;
        _file.Dispose();
        _stop.Dispose();
    }
}
