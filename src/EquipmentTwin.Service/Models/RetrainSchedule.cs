using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Models;

/// <summary>Starts a retrain every <see cref="RetrainOptions.Every"/> and/or daily at <see cref="RetrainOptions.At"/> (UTC); a start while one runs is skipped.</summary>
public sealed class RetrainSchedule(ModelRetrainer retrainer, IOptions<RetrainOptions> options, TimeProvider time) : BackgroundService
{
    public const string Actor = "schedule";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.Every is null && o.At is null)
        {
            return;
        }

        var nextEvery = o.Every is { } every ? time.GetUtcNow() + every : DateTimeOffset.MaxValue;
        var nextAt = o.At is { } at ? NextAt(time.GetUtcNow(), at) : DateTimeOffset.MaxValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = nextEvery < nextAt ? nextEvery : nextAt;
            var delay = next - time.GetUtcNow();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }

            var now = time.GetUtcNow();
            if (now >= nextEvery)
            {
                retrainer.TryStart(Actor, "schedule: every " + o.Every, stoppingToken);
                nextEvery = now + o.Every!.Value;
            }

            if (now >= nextAt)
            {
                retrainer.TryStart(Actor, "schedule: daily at " + o.At + " UTC", stoppingToken);
                nextAt = NextAt(now, o.At!.Value);
            }
        }
    }

    /// <summary>The first time of day <paramref name="at"/> (UTC) after <paramref name="now"/>.</summary>
    public static DateTimeOffset NextAt(DateTimeOffset now, TimeOnly at)
    {
        var today = new DateTimeOffset(DateOnly.FromDateTime(now.UtcDateTime).ToDateTime(at), TimeSpan.Zero);
        return today > now ? today : today.AddDays(1);
    }
}
