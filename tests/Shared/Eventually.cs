namespace EquipmentTwin.Testing;

/// <summary>Polls a condition until it holds or a deadline passes; tests wait on outcomes, never on bare sleeps.</summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = default!;
        Exception? lastError = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await probe();
                if (condition(last))
                {
                    return last;
                }

                lastError = null;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or InvalidOperationException)
            {
                lastError = ex;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last value: {last}" + (lastError is null ? "" : $"; last error: {lastError.Message}"));
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        HoldsAsync(() => Task.FromResult(condition()), ok => ok, timeout, what);
}
