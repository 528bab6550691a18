using System.Text;
using EquipmentTwin.Analytics.Rul;

namespace EquipmentTwin.Analytics.Tests.Rul;

public sealed class RulCsvReaderTests
{
    private static RulCsvException Fails(string csv)
    {
        var ex = Assert.Throws<RulCsvException>(() => RulCsvReader.Parse(Encoding.UTF8.GetBytes(csv), "fleet/bad.csv"));
        Assert.StartsWith("fleet/bad.csv: line ", ex.Message);
        return ex;
    }

    [Fact]
    public void Missing_header_names_the_first_line_and_column()
    {
        var ex = Fails("u1,1,0.5\nu1,2,0.6\n");
        Assert.Equal((1, 1), (ex.Line, ex.Column));
        Assert.Contains("missing header", ex.Message);
    }

    [Fact]
    public void Header_without_time_is_refused()
    {
        var ex = Fails("unit,hours,temp\nu1,1,0.5\n");
        Assert.Equal((1, 2), (ex.Line, ex.Column));
    }

    [Fact]
    public void Text_in_a_numeric_column_names_line_column_and_name()
    {
        var ex = Fails("unit,time,temp,vib\nu1,1,20.5,0.1\nu1,2,21.0,high\nu2,1,20,0.1\nu2,2,20,0.2\n");
        Assert.Equal((3, 4, "vib"), (ex.Line, ex.Column, ex.ColumnName));
        Assert.Equal("fleet/bad.csv: line 3, column 4 (vib): 'high' is not a number", ex.Message);
    }

    [Fact]
    public void Text_in_the_time_column_is_refused()
    {
        var ex = Fails("unit,time,temp\nu1,1,20\nu1,two,21\n");
        Assert.Equal((3, 2, "time"), (ex.Line, ex.Column, ex.ColumnName));
    }

    [Fact]
    public void A_unit_with_one_row_names_its_line()
    {
        var ex = Fails("unit,time,temp\nu1,1,20\nu1,2,21\nu2,5,20\nu3,1,19\nu3,2,19.5\n");
        Assert.Equal((4, 1), (ex.Line, ex.Column));
        Assert.Contains("unit 'u2' has only one row", ex.Message);
    }

    [Fact]
    public void Times_not_increasing_within_a_unit_name_both_lines()
    {
        var ex = Fails("unit,time,temp\nu1,1,20\nu2,1,20\nu1,3,21\nu2,2,21\nu1,3,22\n");
        Assert.Equal((6, 2, "time"), (ex.Line, ex.Column, ex.ColumnName));
        Assert.Contains("times of unit 'u1' must increase: 3 follows 3 (line 4)", ex.Message);
    }

    [Fact]
    public void Wrong_number_of_cells_is_refused()
    {
        var ex = Fails("unit,time,temp\nu1,1,20\nu1,2\n");
        Assert.Equal(3, ex.Line);
    }

    [Fact]
    public void Empty_cells_are_missing_values_and_quoted_units_may_hold_commas()
    {
        var h = RulCsvReader.Parse(Encoding.UTF8.GetBytes("\uFEFFUnit,Time,temp\n\"pump 3, north\",0,20\n\"pump 3, north\",1.5,\nb,0,1\nb,1,NaN\n"), "ok.csv");
        Assert.Equal(["pump 3, north", "b"], h.Units.Select(u => u.Id));
        Assert.True(double.IsNaN(h.Units[0].Columns[0][1]));
        Assert.Equal([0, 1.5], h.Units[0].Times);
        Assert.Equal(64, h.Sha256.Length);
    }
}
