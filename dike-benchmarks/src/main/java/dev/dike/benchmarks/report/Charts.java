package dev.dike.benchmarks.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

import static dev.dike.benchmarks.report.ReportSections.BATCHING;
import static dev.dike.benchmarks.report.ReportSections.CALLER_GROUPS;
import static dev.dike.benchmarks.report.ReportSections.END_TO_END;
import static dev.dike.benchmarks.report.ReportSections.END_TO_END_VARIANTS;
import static dev.dike.benchmarks.report.ReportSections.PRODUCER_GROUPS;
import static dev.dike.benchmarks.report.ReportSections.TARGET_SIZES;

/**
 * Renders the report's PNG charts from a JMH run with JFreeChart; needs {@code java.awt.headless=true}
 * on a server. {@link #style} and {@link #write} are public for the adaptive-limit report.
 */
public final class Charts {

    private static final int WIDTH = 900;
    private static final int PANEL_HEIGHT = 380;
    private static final Color[] PRODUCER_COLORS = {new Color(0x1b9e77), new Color(0xd95f02), new Color(0x7570b3)};
    /** Unbatched in orange, list mode in greens, single-item mode in purples: a lighter shade for zero wait. */
    private static final Color[] VARIANT_COLORS = {new Color(0xd95f02), new Color(0x1b9e77), new Color(0x66c2a4),
            new Color(0x7570b3), new Color(0xb3b0db)};
    private static final BasicStroke SOLID = new BasicStroke(2.2f);
    private static final BasicStroke DASHED = new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
            10f, new float[] {7f, 5f}, 0f);

    private final JmhResults results;

    private final ReportSections sections;

    Charts(JmhResults results) {
        this.results = results;
        this.sections = new ReportSections(results);
    }

    /** Throughput (top) and p99 latency (bottom) against target batch size, per batcher and producer count. */
    void batching(Path png) throws IOException {
        JFreeChart throughput = batchingPanel("Throughput by target batch size", "items/s (log)",
                ReportSections::itemsPerSecond);
        JFreeChart latency = batchingPanel("p99 latency per call by target batch size", "p99 µs (log)",
                ReportSections::p99);
        write(png, throughput, latency);
    }

    /** Throughput (top) and p99 latency (bottom) of each kind of batching, per number of callers. */
    void endToEnd(Path png) throws IOException {
        write(png, endToEndPanel("Throughput, simulated backend", "items/s", ReportSections::itemsPerSecond),
                endToEndPanel("p99 latency per call, simulated backend", "p99 ms", ReportSections::p99));
    }

    private JFreeChart batchingPanel(String title, String valueLabel, ToDoubleFunction<Optional<JmhResult>> value) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (String method : new String[] {"dike", "reactor"}) {
            for (int g = 0; g < PRODUCER_GROUPS.length; g++) {
                String producers = sections.threads(BATCHING + "." + PRODUCER_GROUPS[g]);
                XYSeries series = new XYSeries((method.equals("dike") ? "dike Batcher, " : "Reactor collapser, ")
                        + producers + " producer" + (producers.equals("1") ? "" : "s"));
                for (String size : TARGET_SIZES) {
                    double y = value.applyAsDouble(
                            results.find(BATCHING + "." + PRODUCER_GROUPS[g] + "." + method, "targetBatchSize", size));
                    if (!Double.isNaN(y) && y > 0) {
                        series.add(Double.parseDouble(size), y);
                    }
                }
                if (series.getItemCount() > 0) {
                    int index = dataset.getSeriesCount();
                    dataset.addSeries(series);
                    // colour = number of producers, solid = dike, dashed = Reactor
                    renderer.setSeriesPaint(index, PRODUCER_COLORS[g]);
                    renderer.setSeriesStroke(index, method.equals("dike") ? SOLID : DASHED);
                }
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "target batch size (log)", valueLabel, dataset);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("target batch size (log₂)");
        x.setBase(2);
        x.setSmallestValue(0.5);
        plot.setDomainAxis(x);
        LogAxis y = new LogAxis(valueLabel);
        y.setSmallestValue(1e-3);
        plot.setRangeAxis(y);
        plot.setRenderer(renderer);
        style(chart);
        return chart;
    }

    private JFreeChart endToEndPanel(String title, String valueLabel, ToDoubleFunction<Optional<JmhResult>> value) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        for (String group : CALLER_GROUPS) {
            String threads = sections.threads(END_TO_END + "." + group);
            String callers = threads + (threads.equals("1") ? " caller" : " callers");
            for (String[] variant : END_TO_END_VARIANTS) {
                double y = value.applyAsDouble(sections.endToEnd(group, variant[0], ReportSections.SEQUENTIAL));
                dataset.addValue(Double.isNaN(y) ? null : y, variant[1], callers);
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, "", valueLabel, dataset);
        CategoryPlot plot = chart.getCategoryPlot();
        for (int i = 0; i < END_TO_END_VARIANTS.length; i++) {
            plot.getRenderer().setSeriesPaint(i, VARIANT_COLORS[i]);
        }
        style(chart);
        return chart;
    }

    /** Gives a chart the report's white background and light plot. */
    public static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(new Color(0xf7f7f7));
    }

    /** Writes the panels one below the other into one PNG. */
    public static void write(Path png, JFreeChart... panels) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, PANEL_HEIGHT * panels.length, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            for (int i = 0; i < panels.length; i++) {
                panels[i].draw(g, new Rectangle2D.Double(0, i * PANEL_HEIGHT, WIDTH, PANEL_HEIGHT));
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("No PNG writer available for " + png);
        }
    }
}
