using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

public class EventCountRuleTests
{
    private const string Arcs = """
        { "id": "arcs", "kind": "event-count", "severity": "error", "codes": ["CT-TUB-101"], "count": 3, "withinHours": 24,
          "message": "{count} tube arcs within {window} (limit {threshold})" }
        """;

    [Fact]
    public void Fires_when_the_count_in_the_trailing_window_reaches_n()
    {
        var h = With(Modality.Ct, Arcs);

        h.Event(H(1), "CT-TUB-101").Event(H(5), "CT-TUB-101");
        Assert.False(h.Active("arcs"));

        h.Event(H(9), "CT-TUB-101");
        var e = h.Evidence("arcs");
        Assert.NotNull(e);
        Assert.Equal(T0 + H(9), e.SinceMs);
        Assert.Equal("tube_insert", e.Component);
        Assert.Equal("3 tube arcs within 1 d (limit 3)", e.Summary);
        Assert.Equal(new Reading("CT-TUB-101", 3, T0 + H(9)), e.Readings.Single());
    }

    [Fact]
    public void Events_spread_wider_than_the_window_never_fire()
    {
        var h = With(Modality.Ct, Arcs);

        for (var i = 0; i < 20; i++)
        {
            h.Event(H(13) * i, "CT-TUB-101");
        }

        Assert.False(h.Active("arcs"));
    }

    [Fact]
    public void Clears_when_the_count_falls_below_half_as_events_age_out()
    {
        var h = With(Modality.Ct, Arcs);
        h.Event(H(1), "CT-TUB-101").Event(H(2), "CT-TUB-101").Event(H(3), "CT-TUB-101");
        Assert.True(h.Active("arcs"));

        // Default clear count is N/2 = 1.5: two arcs in the window keep it, one clears it. Hour ticks
        // judge the window [tick - 24 h, tick], so the 1 h arc leaves at the 26 h tick, the 2 h arc at 27 h.
        h.AdvanceTo(H(26) + Min(30));
        Assert.True(h.Active("arcs"));
        h.AdvanceTo(H(27) + Min(30));
        Assert.False(h.Active("arcs"));
    }

    [Fact]
    public void Several_codes_count_together_and_other_codes_do_not()
    {
        var h = With(Modality.Ct, """
            { "id": "tube-trouble", "kind": "event-count", "severity": "error", "codes": ["CT-TUB-101", "CT-TUB-102"],
              "count": 3, "withinHours": 24, "message": "{count} of {codes}" }
            """);

        h.Event(H(1), "CT-TUB-101").Event(H(2), "CT-COL-202").Event(H(3), "CT-TUB-102");
        Assert.False(h.Active("tube-trouble"));

        h.Event(H(4), "CT-TUB-101");
        Assert.Equal("3 of CT-TUB-101, CT-TUB-102", h.Evidence("tube-trouble")!.Summary);
    }
}
