/** The {@code dike} actuator endpoint; active when Spring Boot Actuator is on the class path. */
package dev.dike.spring.actuate;
