using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using EquipmentTwin.Core.Progress;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EquipmentTwin.Cli.Progress;

/// <summary>
/// Progress of a long command, always on stderr so that stdout (tables, figures) and <c>--json</c> files stay clean.
/// On a terminal: a Spectre.Console bar per step with percentage, rate, ETA and elapsed time. Redirected (a pipe, a
/// file, CI): a plain line when a step begins, one every <see cref="PlainInterval"/> with rate and ETA, and one when
/// a step of known length ends. Thread-safe; dispose to finish.
/// </summary>
public sealed class ConsoleProgress : IJobProgress, IDisposable
{
    /// <summary>How often a plain line is written while a step runs, when stderr is not a terminal.</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly string _prefix;
    private readonly TextWriter? _plain;
    private readonly Timer? _timer;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _stepWatch = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, string> _units = new();
    private readonly Task? _render;
    private ProgressContext? _context;
    private ProgressTask? _bar;
    private string? _description;
    private string _unit = "";
    private double? _total;
    private double _done;
    private bool _disposed;

    private ConsoleProgress(string prefix, TextWriter? plain, IAnsiConsole? console, TimeSpan interval)
    {
        _prefix = prefix;
        _plain = plain;
        _interval = interval;
        if (console is not null)
        {
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _render = console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RateColumn(_units), new RemainingTimeColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    lock (_gate)
                    {
                        _context = context;
                    }

                    ready.TrySetResult();
                    await _finished.Task;
                    lock (_gate)
                    {
                        FinishBar();
                    }
                });
            ready.Task.Wait(TimeSpan.FromSeconds(5));
        }
        else
        {
            _timer = new Timer(_ => WritePeriodic(), null, interval, interval);
        }
    }

    /// <summary>
    /// Starts showing progress for the command <paramref name="prefix"/> ("twin evaluate"): a bar when stderr is a terminal,
    /// plain lines on <paramref name="plain"/> (default stderr) every <paramref name="interval"/> (default <see cref="PlainInterval"/>) otherwise.
    /// </summary>
    public static ConsoleProgress Start(string prefix, TextWriter? plain = null, TimeSpan? interval = null) =>
        IsTerminal() && plain is null
            ? new ConsoleProgress(prefix, null, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }), PlainInterval)
            : new ConsoleProgress(prefix, plain ?? Console.Error, null, interval ?? PlainInterval);

    /// <summary>Progress drawn as bars on <paramref name="console"/>, whatever it is attached to.</summary>
    public static ConsoleProgress StartBars(string prefix, IAnsiConsole console) => new(prefix, null, console, PlainInterval);

    /// <summary>True when stderr is an interactive terminal that can draw a bar (not redirected, not a dumb terminal, not CI).</summary>
    public static bool IsTerminal() =>
        !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public void Step(string description, double? total = null, string unit = "")
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            EndStepLocked();
            _description = description;
            _total = total is > 0 ? total : null;
            _unit = unit;
            _done = 0;
            _stepWatch.Restart();
            if (_context is not null)
            {
                _bar = _context.AddTask(Markup.Escape(description), maxValue: _total ?? 1);
                _bar.IsIndeterminate = _total is null;
                _units[_bar.Id] = unit;
            }
            else
            {
                WriteLine($"{_prefix}: {description}");
            }
        }
    }

    public void Report(double done)
    {
        lock (_gate)
        {
            _done = done;
            if (_bar is not null)
            {
                _bar.Value = Math.Min(done, _bar.MaxValue);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_context is null)
            {
                EndStepLocked();
            }
        }

        _timer?.Dispose();
        _finished.TrySetResult();
        _render?.Wait(TimeSpan.FromSeconds(5));
    }

    private void EndStepLocked()
    {
        if (_context is not null)
        {
            FinishBar();
        }
        else if (_description is not null && _total is not null)
        {
            var seconds = _stepWatch.Elapsed.TotalSeconds;
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_prefix}: {_description}: {Amount(_done)} {_unit} in {Format(_stepWatch.Elapsed)} ({Amount(seconds > 0 ? _done / seconds : 0)} {_unit}/s)"));
        }

        _description = null;
    }

    private void FinishBar()
    {
        if (_bar is null)
        {
            return;
        }

        if (!_bar.IsIndeterminate)
        {
            _bar.Value = _bar.MaxValue;
        }
        else
        {
            _bar.IsIndeterminate = false;
            _bar.Value = _bar.MaxValue;
        }

        _bar.StopTask();
        _bar = null;
    }

    private void WritePeriodic()
    {
        lock (_gate)
        {
            if (_disposed || _description is null || _stepWatch.Elapsed < _interval)
            {
                return;
            }

            var seconds = _stepWatch.Elapsed.TotalSeconds;
            var rate = seconds > 0 ? _done / seconds : 0;
            var inv = CultureInfo.InvariantCulture;
            if (_total is { } total)
            {
                var eta = rate > 0 ? Format(TimeSpan.FromSeconds(Math.Max(0, (total - _done) / rate))) : "unknown";
                WriteLine(string.Create(inv, $"{_prefix}: {_description}: {Math.Min(100, 100 * _done / total):0}% ({Amount(_done)}/{Amount(total)} {_unit}, {Amount(rate)} {_unit}/s, ETA {eta}, {Format(_stepWatch.Elapsed)} elapsed)"));
            }
            else
            {
                var amount = _done > 0 ? string.Create(inv, $"{Amount(_done)} {_unit}, {Amount(rate)} {_unit}/s, ") : "";
                WriteLine(string.Create(inv, $"{_prefix}: {_description}: {amount}{Format(_stepWatch.Elapsed)} elapsed"));
            }
        }
    }

    private void WriteLine(string line)
    {
        _plain!.WriteLine(line);
        _plain.Flush();
    }

    private static string Amount(double x) => x.ToString(Math.Abs(x) >= 100 ? "N0" : "0.#", CultureInfo.InvariantCulture);

    private static string Format(TimeSpan t) => t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    /// <summary>Units per second as the bar's task measures it, in the step's own unit.</summary>
    private sealed class RateColumn(ConcurrentDictionary<int, string> units) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } s && !task.IsIndeterminate ? $"{Amount(s)} {units.GetValueOrDefault(task.Id, "")}/s" : "", Style.Plain);
    }
}
