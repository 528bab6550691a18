using System.Buffers;
using System.Text;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Core.Tests.WireFormat;

public class WireCodecTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);
    private static readonly long T0 = new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static DecodeResult<LogBatch> Logs(string json, WireLimits? limits = null) =>
        WireCodec.DecodeLogs(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), limits ?? WireLimits.Default, Received);

    private static string Batch(string records, long seq = 1) =>
        $$"""{"schema":"equipment-log/1","source":"edge-gz01","seq":{{seq}},"records":[{{records}}]}""";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Logs_round_trip_through_encode_and_decode(bool epochMillis)
    {
        var batch = new LogBatch("edge-gz01", 1042,
        [
            LogRecord.Param(T0, "he_level_pct", 71.2),
            LogRecord.Param(T0 + 1, "coldhead_stage2_k", 4.125),
            LogRecord.Event(T0 + 1250, "MR-HE-201", Severity.Warning, "Helium level low \"quoted\" ü"),
            LogRecord.Event(T0 + 2000, "MR-SYS-001", Severity.Info, null),
        ]);

        var decoded = WireCodec.DecodeLogs(WireCodec.EncodeLogs(batch, epochMillis), WireLimits.Default, Received);

        Assert.True(decoded.IsValid, decoded.ToString());
        Assert.Empty(decoded.RecordErrors);
        Assert.Equal(batch.Source, decoded.Value.Source);
        Assert.Equal(batch.Seq, decoded.Value.Seq);
        Assert.Equal(batch.Records, decoded.Value.Records);
    }

    [Fact]
    public void Nameplate_status_and_maintenance_round_trip()
    {
        var nameplate = new Nameplate(Modality.Ct, "Acme", "CT-128", "SN-1", "2021-03-04", "VB20");
        var np = WireCodec.DecodeNameplate(new ReadOnlySequence<byte>(WireCodec.EncodeNameplate(nameplate)), WireLimits.Default);
        Assert.True(np.IsValid, np.ToString());
        Assert.Equal(nameplate, np.Value);

        var status = new DeviceStatus(false, T0);
        var st = WireCodec.DecodeStatus(new ReadOnlySequence<byte>(WireCodec.EncodeStatus(status)), WireLimits.Default);
        Assert.True(st.IsValid, st.ToString());
        Assert.Equal(status, st.Value);

        var record = new MaintenanceRecord(T0, "cold_head", MaintenanceAction.Replace, "Cold head exchanged", "J. Doe");
        var mr = WireCodec.DecodeMaintenance(new ReadOnlySequence<byte>(WireCodec.EncodeMaintenance(record)), WireLimits.Default);
        Assert.True(mr.IsValid, mr.ToString());
        Assert.Equal(record, mr.Value);
    }

    [Fact]
    public void Timestamps_are_accepted_as_rfc3339_with_zone_and_as_epoch_milliseconds()
    {
        var result = Logs(Batch("""
            {"ts":"2026-11-24T02:00:00Z","type":"param","name":"a","value":1},
            {"ts":"2026-11-24T03:00:00.5+01:00","type":"param","name":"a","value":2},
            {"ts":1795485600000,"type":"param","name":"a","value":3}
            """));

        Assert.True(result.IsValid, result.ToString());
        Assert.Empty(result.RecordErrors);
        Assert.Equal([T0, T0 + 500, 1795485600000L], result.Value.Records.Select(r => r.TimestampMs));
    }

    [Theory]
    [InlineData("""{"schema":"equipment-log/1","source":"a","seq":1,"records":[{"ts":""", RejectReason.MalformedJson)]
    [InlineData("""not json at all""", RejectReason.MalformedJson)]
    [InlineData("""{"schema":"equipment-log/1","source":"a","seq":1,"records":[]} trailing""", RejectReason.MalformedJson)]
    [InlineData("", RejectReason.MalformedJson)]
    [InlineData("""{"schema":"nope/9","source":"a","seq":3,"records":[]}""", RejectReason.SchemaMismatch)]
    [InlineData("""{"source":"a","seq":3,"records":[]}""", RejectReason.SchemaMismatch)]
    [InlineData("""[1,2,3]""", RejectReason.SchemaMismatch)]
    [InlineData("""{"schema":"equipment-log/1","seq":3,"records":[]}""", RejectReason.MissingField)]
    [InlineData("""{"schema":"equipment-log/1","source":"a","records":[]}""", RejectReason.MissingField)]
    [InlineData("""{"schema":"equipment-log/1","source":"a","seq":3}""", RejectReason.MissingField)]
    [InlineData("""{"schema":"equipment-log/1","source":"a","seq":-1,"records":[]}""", RejectReason.InvalidField)]
    [InlineData("""{"schema":"equipment-log/1","source":"a","seq":1.5,"records":[]}""", RejectReason.InvalidField)]
    [InlineData("""{"schema":"equipment-log/1","source":"a b","seq":1,"records":[]}""", RejectReason.InvalidField)]
    [InlineData("""{"schema":"equipment-log/1","source":"a","seq":1,"records":{}}""", RejectReason.InvalidField)]
    public void Malformed_logs_payload_gives_its_specific_reason(string json, RejectReason expected)
    {
        var result = Logs(json);

        Assert.False(result.IsValid);
        Assert.Equal(expected, result.Reason);
        Assert.False(string.IsNullOrWhiteSpace(result.Detail));
    }

    [Theory]
    [InlineData("""{"ts":"yesterday","type":"param","name":"a","value":1}""", RejectReason.BadTimestamp)]
    [InlineData("""{"ts":"2026-11-24T02:00:00","type":"param","name":"a","value":1}""", RejectReason.BadTimestamp)]
    [InlineData("""{"ts":1795485600,"type":"param","name":"a","value":1}""", RejectReason.BadTimestamp)]
    [InlineData("""{"ts":true,"type":"param","name":"a","value":1}""", RejectReason.BadTimestamp)]
    [InlineData("""{"ts":"2026-11-24T09:00:00Z","type":"param","name":"a","value":1}""", RejectReason.ClockSkew)]
    [InlineData("""{"type":"param","name":"a","value":1}""", RejectReason.MissingField)]
    [InlineData("""{"ts":"2026-11-24T02:00:00Z","name":"a","value":1}""", RejectReason.MissingField)]
    [InlineData("""{"ts":"2026-11-24T02:00:00Z","type":"param","value":1}""", RejectReason.MissingField)]
    [InlineData("""{"ts":"2026-11-24T02:00:00Z","type":"param","name":"a"}""", RejectReason.MissingField)]
    [InlineData("""{"ts":"2026-11-24T02:00:00Z","type":"param","name":"a","value":"71.2"}""", RejectReason.InvalidField)]
    [InlineData("""{"ts":"2026-11-24T02:00:00Z","type":"param","name":"bad name","value":1}""", RejectReason.InvalidField)]
    [InlineData("""{"ts":"2026-11-24T02:00:00Z","type":"metric","name":"a","value":1}""", RejectReason.InvalidField)]
    [InlineData("""{"ts":"2026-11-24T02:00:00Z","type":"event"}""", RejectReason.MissingField)]
    [InlineData("""{"ts":"2026-11-24T02:00:00Z","type":"event","code":"X-1","severity":"apocalyptic"}""", RejectReason.InvalidField)]
    [InlineData("""42""", RejectReason.InvalidField)]
    public void Bad_record_is_refused_with_its_reason_and_its_neighbours_are_kept(string badRecord, RejectReason expected)
    {
        var result = Logs(Batch($$"""
            {"ts":"2026-11-24T02:00:00Z","type":"param","name":"he_level_pct","value":71.2},
            {{badRecord}},
            {"ts":"2026-11-24T02:01:00Z","type":"event","code":"MR-SYS-001","severity":"info","text":"ok"}
            """));

        Assert.True(result.IsValid, result.ToString());
        var error = Assert.Single(result.RecordErrors);
        Assert.Equal(1, error.Index);
        Assert.Equal(expected, error.Reason);
        Assert.Equal(2, result.Value.Records.Count);
        Assert.Equal("he_level_pct", result.Value.Records[0].Name);
        Assert.Equal("MR-SYS-001", result.Value.Records[1].Code);
    }

    [Fact]
    public void Clock_skew_check_can_be_disabled_for_simulated_time()
    {
        var result = Logs(Batch("""{"ts":"2030-01-01T00:00:00Z","type":"param","name":"a","value":1}"""), WireLimits.Default with { MaxFutureSkew = null });

        Assert.True(result.IsValid);
        Assert.Empty(result.RecordErrors);
    }

    [Fact]
    public void Oversize_payload_is_refused_before_parsing()
    {
        var limits = WireLimits.Default with { MaxPayloadBytes = 2048 };
        var records = string.Join(",", Enumerable.Range(0, 100).Select(i => $$"""{"ts":{{T0 + i}},"type":"param","name":"a","value":{{i}}}"""));

        var result = Logs(Batch(records), limits);

        Assert.Equal(RejectReason.PayloadTooLarge, result.Reason);
    }

    [Fact]
    public void Batch_over_the_record_limit_is_refused_whole()
    {
        var limits = WireLimits.Default with { MaxRecordsPerBatch = 10 };
        var records = string.Join(",", Enumerable.Range(0, 11).Select(i => $$"""{"ts":{{T0 + i}},"type":"param","name":"a","value":{{i}}}"""));

        var result = Logs(Batch(records), limits);

        Assert.Equal(RejectReason.TooManyRecords, result.Reason);
    }

    [Theory]
    [InlineData("""{"modality":"pet","vendor":"a","model":"b"}""", RejectReason.UnknownModality)]
    [InlineData("""{"vendor":"a","model":"b"}""", RejectReason.MissingField)]
    [InlineData("""{"modality":"mri","model":"b"}""", RejectReason.MissingField)]
    [InlineData("""{"modality":"mri","vendor":"a","model":"b","installed":"last year"}""", RejectReason.InvalidField)]
    [InlineData("""{"modality":"mri","vendor":7,"model":"b"}""", RejectReason.InvalidField)]
    [InlineData("""{"modality":"mri",""", RejectReason.MalformedJson)]
    public void Malformed_nameplate_gives_its_specific_reason(string json, RejectReason expected)
    {
        var result = WireCodec.DecodeNameplate(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), WireLimits.Default);

        Assert.False(result.IsValid);
        Assert.Equal(expected, result.Reason);
    }

    [Theory]
    [InlineData("""{"state":"sleeping"}""", RejectReason.InvalidField)]
    [InlineData("""{}""", RejectReason.MissingField)]
    [InlineData("""online""", RejectReason.MalformedJson)]
    public void Malformed_status_gives_its_specific_reason(string json, RejectReason expected)
    {
        var result = WireCodec.DecodeStatus(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), WireLimits.Default);

        Assert.False(result.IsValid);
        Assert.Equal(expected, result.Reason);
    }

    [Fact]
    public void Severity_accepts_vendor_short_forms()
    {
        var result = Logs(Batch("""
            {"ts":1795485600000,"type":"event","code":"A","severity":"WARN"},
            {"ts":1795485600000,"type":"event","code":"B","severity":"ERR"},
            {"ts":1795485600000,"type":"event","code":"C","severity":"CRIT"},
            {"ts":1795485600000,"type":"event","code":"D"}
            """));

        Assert.Equal([Severity.Warning, Severity.Error, Severity.Critical, Severity.Info], result.Value!.Records.Select(r => r.Severity));
    }

    [Fact]
    public void Decoder_reads_a_payload_split_across_segments()
    {
        var bytes = WireCodec.EncodeLogs(new LogBatch("s", 7, [LogRecord.Param(T0, "he_level_pct", 70.5), LogRecord.Event(T0, "MR-X-1", Severity.Error, "text")]));
        var sequence = Segments.Split(bytes, 7);

        var result = WireCodec.DecodeLogs(sequence, WireLimits.Default, Received);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(2, result.Value.Records.Count);
    }
}
