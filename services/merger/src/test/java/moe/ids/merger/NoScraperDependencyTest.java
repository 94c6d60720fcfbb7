package moe.ids.merger;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The merger reads what the scraper stored through the snapshot contract ({@code moe.ids.core.snapshot},
 * {@code moe.ids.db.snapshot}) and never uses the scraper itself: none of its compiled classes, main or test,
 * refers to {@code moe.ids.scraper}.
 */
class NoScraperDependencyTest {
    @Test
    void mergerClassesDoNotUseTheScraper() {
        // the module's own classes (its output folders), not the jars on the class path
        JavaClasses merger = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeJars())
                .importPackages("moe.ids.merger");
        assertTrue(merger.contain(MergeService.class) && merger.contain(NoScraperDependencyTest.class),
                "main and test classes are read");
        noClasses().should().dependOnClassesThat().resideInAPackage("moe.ids.scraper..")
                .because("the merger and the scraper share only the snapshot contract")
                .check(merger);
    }
}
