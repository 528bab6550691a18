using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Service.Stores;
using EquipmentTwin.Storage;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EquipmentTwin.Service.Tests;

/// <summary>A committed write whose analysis fails for a moment is counted and retried, not lost.</summary>
public sealed class AnalyticsRetryTests
{
    /// <summary>The real alert store, whose next saves fail as a briefly unavailable disk would.</summary>
    private sealed class FlakyAlertStore(IAlertStore inner) : IAlertStore
    {
        private int _failuresLeft;

        public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

        public Task SaveAlertsAsync(IReadOnlyList<StoredAlert> alerts, CancellationToken cancellationToken) =>
            Interlocked.Decrement(ref _failuresLeft) >= 0 ? throw new IOException("database is locked (test)") : inner.SaveAlertsAsync(alerts, cancellationToken);

        private int _loadFailuresLeft;

        public void FailLoads(int count) => Interlocked.Exchange(ref _loadFailuresLeft, count);

        public Task<IReadOnlyList<StoredAlert>> LoadAlertsAsync(CancellationToken cancellationToken) =>
            Interlocked.Decrement(ref _loadFailuresLeft) >= 0 ? throw new IOException("database is locked (test)") : inner.LoadAlertsAsync(cancellationToken);
    }

    [Fact]
    public async Task A_store_that_fails_during_the_start_up_restore_is_counted_and_the_restore_retried_until_analytics_is_ready()
    {
        await using var service = await ServiceFixture.StartAsync(s => s.AddSingleton<IAlertStore>(sp =>
        {
            var store = new FlakyAlertStore(sp.GetRequiredService<StoreFactory>().Alerts);
            store.FailLoads(2);
            return store;
        }));
        var analytics = service.App.Services.GetRequiredService<AnalyticsService>();
        await Eventually.HoldsAsync(() => Task.FromResult(analytics.Ready), ready => ready, TimeSpan.FromSeconds(30), "analytics ready after the retried restore");
        Assert.Equal(2, analytics.RestoreFailures);
        var id = await AlertApiTests.OpenColdHeadAlertAsync(service, "mri-restore");
        Assert.StartsWith("mri-restore-", id);
    }

    [Fact]
    public async Task A_transient_store_failure_is_counted_retried_and_the_alert_and_its_audit_entry_are_stored()
    {
        FlakyAlertStore? flaky = null;
        await using var service = await ServiceFixture.StartAsync(s => s.AddSingleton<IAlertStore>(sp => flaky = new FlakyAlertStore(sp.GetRequiredService<StoreFactory>().Alerts)));
        var analytics = service.App.Services.GetRequiredService<AnalyticsService>();
        Assert.NotNull(flaky);
        flaky.FailNext(2);

        var id = await AlertApiTests.OpenColdHeadAlertAsync(service, "mri-flaky");

        var stored = await Eventually.HoldsAsync(() => flaky.LoadAlertsAsync(default), list => list.Any(a => a.Id == id), TimeSpan.FromSeconds(30), "the alert to reach the store after the failures");
        Assert.Contains(stored, a => a.Id == id && a.State == "open");
        // The alert reaches the store inside the retried flush; the audit entry and the count follow it.
        var history = await Eventually.HoldsAsync(() => service.GetJsonAsync($"/api/alerts/{id}/history"), h => h.GetProperty("count").GetInt32() > 0, TimeSpan.FromSeconds(30), "the audit entry");
        Assert.Equal("opened", history.GetProperty("entries")[0].GetProperty("action").GetString());
        await Eventually.HoldsAsync(() => Task.FromResult(analytics.BatchesRecovered), n => n >= 1, TimeSpan.FromSeconds(30), "the batch counted as recovered");
        Assert.Equal(2, analytics.BatchFailures);
        Assert.Equal(0, analytics.BatchesDropped);
    }
}
