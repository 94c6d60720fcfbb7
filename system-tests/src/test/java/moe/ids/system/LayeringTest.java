package moe.ids.system;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module layering, checked on the production classes of every module (this module has them all on its test
 * class path): the domain imports no infrastructure, infrastructure imports no service, services do not import
 * each other, only the store speaks RESP and only the db module uses the connection pool, the PostgreSQL driver and
 * Flyway (the services reach PostgreSQL through Helidon DB Client and the db module's escape hatch).
 */
class LayeringTest {
    private static final String[] SERVICES = {"moe.ids.scraper..", "moe.ids.merger..", "moe.ids.ingestor..",
        "moe.ids.api..", "moe.ids.replay.."};
    private static JavaClasses production;

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // the project's own classes only (module folders in a reactor build, ids-moe-* jars otherwise),
                // and no test support: test code may use whatever it needs
                .withImportOption(location -> (location.contains("/target/classes") || location.contains("/ids-moe-"))
                        && !location.contains("/ids-moe-test-support") && !location.contains("/test-support/"))
                .importPackages("moe.ids");
    }

    @Test
    void coreImportsNoWebServerKubernetesClientRedisClientHtmlParserOrDatabaseLibrary() {
        noClasses().that().resideInAPackage("moe.ids.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.helidon.webserver..", "io.helidon.webclient..",
                        "io.fabric8..", "redis.clients..", "org.jsoup..", "org.postgresql..", "com.zaxxer..",
                        "org.flywaydb..")
                .check(production);
    }

    @Test
    void noServiceModuleImportsAnother() {
        slices().matching("moe.ids.(scraper|merger|ingestor|api|replay)..").should().notDependOnEachOther()
                .check(production);
    }

    @Test
    void sharedModulesImportNoServiceModule() {
        noClasses().that().resideInAnyPackage("moe.ids.core..", "moe.ids.db..", "moe.ids.store..", "moe.ids.http..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVICES)
                .check(production);
    }

    @Test
    void onlyTheStoreModuleSpeaksResp() {
        noClasses().that().resideOutsideOfPackage("moe.ids.store..")
                .should().dependOnClassesThat().resideInAPackage("redis.clients..")
                .check(production);
    }

    @Test
    void onlyTheDbModuleUsesThePoolTheDriverAndFlyway() {
        noClasses().that().resideOutsideOfPackage("moe.ids.db..")
                .should().dependOnClassesThat().resideInAnyPackage("com.zaxxer..", "org.postgresql..", "org.flywaydb..")
                .check(production);
    }

    @Test
    void productionCodeUsesNoTestSupport() {
        noClasses().should().dependOnClassesThat().resideInAPackage("moe.ids.testing..")
                .check(production);
    }
}
