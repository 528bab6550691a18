using System.Text;
using EquipmentTwin.Edge.Queue;
using EquipmentTwin.Edge.Sources;
using EquipmentTwin.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EquipmentTwin.Edge.Tests;

public class DiskJournalTests
{
    private static DiskJournal Open(string dir, long maxBytes = 1 << 20, long segmentBytes = 64 * 1024, QueueFullPolicy policy = QueueFullPolicy.Backpressure) =>
        DiskJournal.Open(dir, maxBytes, segmentBytes, policy, TimeProvider.System, NullLogger.Instance);

    private static JournalRecord Batch(long seq, long offset, int bodyBytes = 1000) =>
        new(JournalEntryKind.Batch, seq, 0, "equipment/v1/t1/d1/logs", [new SourcePosition("tail:d1:/x.log", "/x.log", "1:2", offset)], Encoding.UTF8.GetBytes(new string('x', bodyBytes)));

    private static List<JournalEntry> Drain(DiskJournal j)
    {
        var list = new List<JournalEntry>();
        var after = j.ResendFrom;
        while (j.TryGetNext(after, out var e))
        {
            list.Add(e);
            after = e.Ordinal;
        }

        return list;
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void Unacknowledged_batches_and_positions_survive_a_restart_and_acknowledged_ones_do_not()
    {
        using var dir = new TempDirectory();
        using (var j = Open(dir.Path))
        {
            for (var s = 1; s <= 100; s++)
            {
                j.Append(Batch(s, s * 10));
            }

            j.Commit();
            foreach (var e in Drain(j).Take(40))
            {
                j.Ack(e);
            }

            j.FlushCursor();
        }

        using var again = Open(dir.Path);
        var pending = Drain(again);
        Assert.Equal(Enumerable.Range(41, 60).Select(i => (long)i), pending.Select(e => e.Seq));
        Assert.Equal(1000, again.RecoveredPositions["tail:d1:/x.log"].Offset);
        Assert.Equal(100, again.MaxSeq);
        Assert.Equal("equipment/v1/t1/d1/logs", again.Read(pending[0]).Topic);
    }

    [Fact]
    public void Torn_tail_of_the_last_segment_is_cut_and_the_entries_before_it_are_kept()
    {
        using var dir = new TempDirectory();
        using (var j = Open(dir.Path))
        {
            for (var s = 1; s <= 5; s++)
            {
                j.Append(Batch(s, s * 10));
            }

            j.Commit();
        }

        // A crash in the middle of writing entry 6: half of it reached the disk.
        var last = Directory.GetFiles(dir.Path, "*.seg").Order().Last();
        var torn = Batch(6, 60).EncodeFramed();
        using (var fs = new FileStream(last, FileMode.Append))
        {
            fs.Write(torn, 0, torn.Length / 2);
        }

        using var again = Open(dir.Path);
        Assert.Equal([1L, 2, 3, 4, 5], Drain(again).Select(e => e.Seq));
        Assert.Equal(50, again.RecoveredPositions["tail:d1:/x.log"].Offset);
    }

    [Fact]
    public void A_flipped_bit_fails_the_checksum_and_stops_recovery_at_that_entry()
    {
        using var dir = new TempDirectory();
        using (var j = Open(dir.Path))
        {
            for (var s = 1; s <= 3; s++)
            {
                j.Append(Batch(s, s * 10));
            }

            j.Commit();
        }

        var seg = Directory.GetFiles(dir.Path, "*.seg").Order().Last();
        var bytes = File.ReadAllBytes(seg);
        bytes[^10] ^= 0x40; // inside the last entry's body
        File.WriteAllBytes(seg, bytes);

        using var again = Open(dir.Path);
        Assert.Equal([1L, 2], Drain(again).Select(e => e.Seq));
    }

    [Fact]
    public void Fully_acknowledged_segments_are_deleted()
    {
        using var dir = new TempDirectory();
        using var j = Open(dir.Path, segmentBytes: 8 * 1024);
        for (var s = 1; s <= 50; s++)
        {
            j.Append(Batch(s, s));
        }

        j.Commit();
        Assert.True(Directory.GetFiles(dir.Path, "*.seg").Length > 3);
        foreach (var e in Drain(j))
        {
            j.Ack(e);
        }

        Assert.Single(Directory.GetFiles(dir.Path, "*.seg"));
        Assert.Equal(0, j.Stats().DepthBatches);
    }

    [Fact]
    public async Task Full_queue_with_backpressure_waits_until_an_ack_frees_room()
    {
        using var dir = new TempDirectory();
        using var j = Open(dir.Path, maxBytes: 20 * 1024, segmentBytes: 4096);
        var s = 0;
        while (!j.WouldWait(1200))
        {
            j.Append(Batch(++s, s));
        }

        j.Commit();
        var wait = j.WaitForSpaceAsync(1200, CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(wait.IsCompleted);
        Assert.True(j.Stats().BackPressured);

        j.Ack(Drain(j)[0]);
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, j.Stats().DroppedBatches);
    }

    [Fact]
    public async Task Full_queue_with_drop_oldest_drops_and_counts_the_oldest_batches()
    {
        using var dir = new TempDirectory();
        using var j = Open(dir.Path, maxBytes: 20 * 1024, segmentBytes: 4096, policy: QueueFullPolicy.DropOldest);
        var s = 0;
        while (!j.WouldWait(1200))
        {
            j.Append(Batch(++s, s));
        }

        j.Commit();
        await j.WaitForSpaceAsync(1200, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1, j.Stats().DroppedBatches);
        Assert.Equal(2, Drain(j)[0].Seq);
    }

    [Fact]
    public void Seq_never_repeats_across_restarts_even_without_a_clean_stop()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "seq");
        long last;
        var a = SeqAllocator.Open(path, 1, block: 10);
        for (var i = 0; i < 25; i++)
        {
            a.Next();
        }

        last = a.Next();
        a.Dispose(); // no "clean" marker exists: the reserved block is what protects

        using var b = SeqAllocator.Open(path, 1, block: 10);
        Assert.True(b.Next() > last);
    }
}
