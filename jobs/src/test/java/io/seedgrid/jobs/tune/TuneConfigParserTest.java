package io.seedgrid.jobs.tune;

import io.seedgrid.jobs.config.ConfigException;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tune configs read strictly: the search space's expansion, names, values, snippets, and every refusal. */
class TuneConfigParserTest {

    @TempDir
    Path dir;

    private static final String HEAD = """
            run: t
            output: out
            models:
              base: {path: models/base, device: cpu}
              dmd2: {path: models/dmd2, device: cpu}
            prompts: [a red circle, a blue square, a green star, a pink ring]
            seeds: {start: 0, count: 4}
            width: 64
            height: 64
            recipes:
              - {name: base, kind: base, model: base, steps: 20, cfg: 5}
              - {name: dmd2, kind: dmd2, model: dmd2}
            measure: {clip: models/clip}
            """;

    private Path write(String tune) throws IOException {
        Path file = dir.resolve("tune.yaml");
        Files.writeString(file, HEAD + tune);
        return file;
    }

    private TuneConfig parse(String tune) throws IOException {
        return TuneConfigParser.parse(write(tune));
    }

    private String refused(String tune) throws IOException {
        Path file = write(tune);
        return assertThrows(IllegalArgumentException.class, () -> TuneConfigParser.parse(file)).getMessage();
    }

    @Test
    void rangesAndListsExpandIntoNamedOrdinaryRecipes() throws IOException {
        TuneConfig t = parse("""
                tune:
                  images: 1000
                  fidelity: {prompts: 2, seeds: 2}
                  space:
                    - {name: blend, kind: blend, a: base, b: dmd2, alpha: {from: 0, to: 1, count: 11}}
                    - {kind: hybrid, base: base, student: dmd2, base_steps: [1, 2], base_cfg: {from: 3, to: 5, step: 2}}
                    - {name: steps, kind: dmd2, model: dmd2, timesteps: [[999, 499], [999, 749, 499]]}
                    - {name: range, kind: base, model: base, steps: {from: 2, to: 4}}
                """);
        List<String> names = t.space().stream().map(Candidate::name).toList();
        assertEquals(List.of("blend-alpha0", "blend-alpha0.1", "blend-alpha0.2", "blend-alpha0.3", "blend-alpha0.4",
                "blend-alpha0.5", "blend-alpha0.6", "blend-alpha0.7", "blend-alpha0.8", "blend-alpha0.9", "blend-alpha1",
                "hybrid-base_steps1-base_cfg3", "hybrid-base_steps1-base_cfg5", "hybrid-base_steps2-base_cfg3",
                "hybrid-base_steps2-base_cfg5", "steps-timesteps999_499", "steps-timesteps999_749_499",
                "range-steps2", "range-steps3", "range-steps4"), names);
        Candidate third = t.space().get(3);
        assertEquals(Map.of("alpha", "0.3"), third.parameters(), "decimal steps, not 0.30000000000000004");
        assertEquals("{name: blend-alpha0.3, kind: blend, a: base, b: dmd2, alpha: 0.3}", third.yaml());
        assertEquals(List.of("base", "dmd2"), t.references().stream().map(Candidate::name).toList());
        assertTrue(t.references().stream().allMatch(Candidate::reference));
        assertEquals("hybrid", t.space().get(11).family(), "a family without a name is named by its kind");
        assertEquals(2, t.space().get(15).recipe().timeline().steps());
        assertEquals(4, t.space().get(19).recipe().timeline().steps());
        assertEquals(22, t.candidates().size());
        assertNull(t.diversity(), "the default: the first embedding distance, resolved with the metric models");
        assertEquals("clip_score_mean", t.adherence());
        assertEquals(TuneConfig.Cost.UNET_EVALUATIONS, t.cost());
        assertNull(t.recommend(), "no budgets given: the defaults, resolved at the end");
    }

    /** Each candidate's YAML line, pasted into a run config, is the same recipe: what the console recommends works. */
    @Test
    void everySnippetReadsBackAsTheSameRecipeInARunConfig() throws IOException {
        TuneConfig t = parse("""
                tune:
                  images: 1000
                  fidelity: {prompts: 2, seeds: 2}
                  space:
                    - {name: cads, kind: cads, model: dmd2, sampler: lcm, timesteps: [999, 749, 499, 249], cfg: 1,
                       noise_scale: [0.1, 0.25], negative_prompt: "blurry: \\"bad\\" # not a comment\\n<b>"}
                    - {name: interval, kind: interval-cfg, model: base, sigma_low: [0.28, 1], sigma_high: 5.42}
                """);
        StringBuilder recipes = new StringBuilder("recipes:\n");
        t.candidates().forEach(c -> recipes.append("  - ").append(c.yaml()).append('\n'));
        Path run = dir.resolve("run.yaml");
        Files.writeString(run, HEAD.substring(0, HEAD.indexOf("recipes:")) + recipes);
        RunConfig back = RunConfigParser.parse(run);
        assertEquals(t.candidates().size(), back.recipes().size());
        for (int i = 0; i < back.recipes().size(); i++) {
            assertEquals(t.candidates().get(i).recipe().toJsonWithName(), back.recipes().get(i).toJsonWithName());
        }
        assertEquals("blurry: \"bad\" # not a comment\n<b>", t.space().get(0).recipe().phases().get(0).negativePrompt());
    }

    @Test
    void theSameRecipeTwiceOrANameTakenTwiceIsRefused() throws IOException {
        assertTrue(refused("""
                tune:
                  images: 1000
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3, 0.30]}]
                """).contains("are the same recipe"));
        assertTrue(refused("""
                tune:
                  images: 1000
                  space: [{name: dmd2, kind: dmd2, model: dmd2, timesteps: [999, 499]}]
                """).contains("two candidates are called 'dmd2'"));
        assertTrue(refused("""
                tune:
                  images: 1000
                  space:
                    - {name: b, kind: blend, a: base, b: dmd2, alpha: [0.3]}
                    - {name: b, kind: blend, a: base, b: dmd2, alpha: [0.4]}
                """).contains("two search-space entries are called 'b'"));
    }

    @Test
    void badValuesNameTheirKeyAndLine() throws IOException {
        String small = refused("""
                tune:
                  images: 39
                  fidelity: {prompts: 2, seeds: 2}
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3, 0.5]}]
                """);
        assertTrue(small.contains("tune.images: 39 images cannot pay for the start: the 2 references take 32 (4 prompts"
                + " x 4 seeds each) and the first rung 8 (2 candidates x 2 prompts x 2 seeds); give at least 40"), small);
        assertTrue(refused("""
                tune:
                  images: 1000
                  fidelity: {prompts: 8, seeds: 2}
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3]}]
                """).contains("larger than the pool"));
        assertTrue(refused("""
                tune:
                  images: 1000
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: {from: 1, to: 0, count: 3}}]
                """).contains("a range goes up"));
        assertTrue(refused("""
                tune:
                  images: 1000
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: {from: 0, to: 0.5}}]
                """).contains("a range of fractions needs count or step"));
        String unknown = refused("""
                tune:
                  images: 1000
                  budget: 3
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3]}]
                """);
        assertTrue(unknown.matches(".*tune\\.yaml:\\d+: unknown key 'tune\\.budget'.*"), unknown);
        String model = refused("""
                tune:
                  images: 1000
                  space: [{name: b, kind: blend, a: base, b: nope, alpha: [0.3]}]
                """);
        assertTrue(model.contains("unknown model 'nope'") && model.contains("candidate b-alpha0.3 of the search space"),
                model);
        assertTrue(refused("""
                tune:
                  images: 1000
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3]}]
                  recommend: [{cost_at_most: {times: 2, of: student}}]
                """).contains("no recipe or candidate named 'student'"));
        assertTrue(refused("""
                tune:
                  images: 1000
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3]}]
                  diversity: "CLIP distance"
                """).contains("a metric is a column of groups/"));
        assertTrue(refused("""
                tune:
                  images: 1000
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3]}]
                  cost: dollars
                """).contains("cost is unet_evaluations or seconds"));
        assertTrue(refused("""
                tune:
                  images: 1000
                  space: []
                """).contains("the search space is empty"));
    }

    @Test
    void budgetsReadAsWordsAndBounds() throws IOException {
        TuneConfig t = parse("""
                tune:
                  images: 1000
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3]}]
                  recommend:
                    - {cost_at_most: {times: 2, of: dmd2}}
                    - {name: "close to the teacher", adherence_at_least: {minus: 1, of: base}, cost_at_most: 10}
                """);
        assertEquals(List.of(new Budget("cost <= 2x dmd2's", 2.0, "dmd2", null, null, null, null),
                new Budget("close to the teacher", null, null, 10.0, 1.0, "base", null)), t.recommend());
    }

    /** The decisions of a tune hold only for the same search: its identity covers it, not how it is run. */
    @Test
    void theIdentityCoversTheSearchNotItsRunning() throws IOException {
        String space = """
                  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3, 0.5]}]
                """;
        String base = parse("tune:\n  images: 1000\n" + space).identityHash();
        assertEquals(base, parse("tune:\n  images: 1000\n" + space + "  recommend: [{cost_at_most: 8}]\n").identityHash(),
                "the budgets answered are not part of the search");
        assertNotEquals(base, parse("tune:\n  images: 1001\n" + space).identityHash());
        assertNotEquals(base, parse("tune:\n  images: 1000\n  confidence: 0.9\n" + space).identityHash());
        assertNotEquals(base, parse("tune:\n  images: 1000\n  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3,"
                + " 0.6]}]\n").identityHash());
    }

    @Test
    void thePromptOrderIsAFixedShuffleOfThePool() throws IOException {
        TuneConfig t = parse("tune:\n  images: 1000\n  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3]}]\n");
        List<String> order = t.promptOrder().stream().map(p -> p.prompt()).toList();
        assertEquals(4, order.size());
        List<String> byHash = t.run().prompts().stream().sorted(java.util.Comparator.comparing(p -> TuneConfig.sha256(p.id())))
                .map(p -> p.prompt()).toList();
        assertEquals(byHash, order);
        assertEquals(SeedsOf.list(0, 1), SeedsOf.list(t.firstSeeds(2)));
    }

    /** Seed sets as lists, for comparisons. */
    private static final class SeedsOf {
        static List<Long> list(long... seeds) {
            return java.util.Arrays.stream(seeds).boxed().toList();
        }

        static List<Long> list(io.seedgrid.jobs.config.SeedSet set) {
            java.util.List<Long> out = new java.util.ArrayList<>();
            for (long i = 0; i < set.size(); i++) {
                out.add(set.get(i));
            }
            return out;
        }
    }

    /** --grid-config writes the tune folder's run as a plain run config: the same identity, recipes and pool. */
    @Test
    void theGridConfigIsTheTuneFoldersRun() throws IOException {
        TuneConfig t = parse("""
                tune:
                  images: 1000
                  fidelity: {prompts: 2, seeds: 2}
                  space:
                    - {name: b, kind: blend, a: base, b: dmd2, alpha: [0.3, 0.5]}
                    - {name: c, kind: cads, model: dmd2, sampler: lcm, timesteps: [999, 499], cfg: 1, noise_scale: [0.1]}
                """);
        Path grid = dir.resolve("grid.yaml");
        GridConfigFile.write(t, t.run().run(), grid);
        RunConfig written = RunConfigParser.parse(grid);
        RunConfig run = TuneJob.gridConfig(t, null, null);
        assertEquals(run.identityHash(), written.identityHash(), "seedgrid run on it continues the tune's folder");
        assertEquals(run.runDirectory(), written.runDirectory());
        assertEquals(run.prompts(), written.prompts());
        assertEquals(run.seeds().size(), written.seeds().size());
        assertEquals(run.parts().promptBuckets(), written.parts().promptBuckets());
        assertEquals(List.of("base", "dmd2", "b-alpha0.3", "b-alpha0.5", "c-noise_scale0.1"),
                written.recipes().stream().map(r -> r.name()).toList());
        GridConfigFile.write(t, "other", grid);
        assertEquals("other", RunConfigParser.parse(grid).run());
    }

    @Test
    void aRunConfigWithATuneSectionIsNotARunConfig() throws IOException {
        Path file = write("tune:\n  images: 1000\n  space: [{name: b, kind: blend, a: base, b: dmd2, alpha: [0.3]}]\n");
        String message = assertThrows(ConfigException.class, () -> RunConfigParser.parse(file)).getMessage();
        assertTrue(message.contains("unknown key 'tune'"), message);
    }
}
